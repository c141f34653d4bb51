"""Validators for Chinese identifiers used across the apps."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 统一社会信用代码. 31 characters, no I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are given."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    if not _USCC_SHAPE.match(code):
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters other than I, O, S, V and Z, with digits in places 3 to 8."),
            code="uscc_chars",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong: check for a typing error."),
            code="uscc_check",
        )


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    if not _MOBILE.match(value or ""):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, such as 13812341234."), code="mobile"
        )


def mask_mobile(value: str) -> str:
    """138****1234: enough to recognise a number, not enough to call it."""
    if not value or len(value) < 7:
        return "****"
    return f"{value[:3]}****{value[-4:]}"

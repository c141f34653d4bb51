"""Photos uploaded with a wish: JPEG, PNG or WebP, recognised by their first bytes
(never by the file name or the browser's content type), at most
``settings.WISH_PHOTO_MAX_BYTES`` (5 MB). An accepted file gets a random name, so the
name the phone gave it (which may hold a date, a place or a person's name) is not kept.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_bytes() -> int:
    return getattr(settings, "WISH_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)


def sniff_image(head: bytes) -> str | None:
    """The file extension for an image whose first bytes are ``head``, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def clean_photo(upload):
    """Check an uploaded file and give it a safe random name; raise ValidationError."""
    if upload is None:
        return None
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("The photo is too large: at most %(max)s.") % {"max": filesizeformat(limit)},
            code="photo_size",
        )
    if upload.size == 0:
        raise ValidationError(_("The photo file is empty."), code="photo_empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ext = sniff_image(head)
    if ext is None:
        raise ValidationError(
            _("This file is not a photo we can take: choose a JPEG, PNG or WebP image."),
            code="photo_type",
        )
    upload.name = f"{uuid.uuid4().hex}.{ext}"
    upload.content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[ext]
    return upload

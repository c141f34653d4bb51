"""Forms of the public wish pages. Like the staff forms they only parse input: the
services in ``wishes.services`` validate and save, and their ``ValidationError`` is put
back on the form with :func:`governance.web.forms.attach_errors`."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from communities.models import Area
from governance.validators import validate_mobile

from .models import Category, Rating, RequesterType
from .services import TRACKING_ALPHABET
from .uploads import clean_photo

TOKEN_SALT = "wishes.public.submit"
TOKEN_MAX_AGE = 24 * 60 * 60  # a form left open for a day must be sent again


def new_form_token() -> str:
    """A one-time token for one rendering of the wish form: a random id, signed so
    that a client cannot make up ids (and replay someone else's wish)."""
    return signing.dumps(uuid.uuid4().hex, salt=TOKEN_SALT)


def idempotency_key_from(token: str) -> str | None:
    """The idempotency key a valid token stands for, or None if forged or expired."""
    try:
        value = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{32}", value):
        return None
    return f"web-{value}"


def normalise_mobile(value: str) -> str:
    """Accept the ways people type a mobile number: spaces, dashes, +86 in front."""
    value = re.sub(r"[\s\-()（）]", "", value or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


class MobileField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
        )
        super().__init__(validators=[validate_mobile], **kwargs)

    def to_python(self, value):
        return normalise_mobile(super().to_python(value))


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class WishSubmitForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    compound = forms.CharField(
        widget=forms.HiddenInput, required=False, label=_("Residential compound"),
    )
    category = CategoryChoiceField(
        label=_("What is it about?"),
        queryset=Category.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a category."),
                        "invalid_choice": _("Choose one of the current categories.")},
    )
    title = forms.CharField(
        label=_("Your wish in a few words"), max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. The stairwell light of unit 3 is broken")}),
    )
    description = forms.CharField(
        label=_("Details of your wish"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Where exactly, since when, who is affected. At most 2000 characters."),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    requester_type = forms.ChoiceField(
        label=_("You are"), choices=RequesterType.choices, initial=RequesterType.RESIDENT,
        widget=forms.RadioSelect,
    )
    requester_name = forms.CharField(
        label=_("Your name"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    requester_phone = MobileField(
        label=_("Your mobile number"),
        help_text=_("We text you when your wish is resolved. The last 4 digits and the tracking code let you follow it."),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my name and mobile number are used to handle this wish."),
        error_messages={"required": _("Please agree to the privacy notice, or we cannot take your wish.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compound_area: Area | None = None
        self.idempotency_key: str | None = None

    def clean_token(self):
        token = self.cleaned_data.get("token", "")
        key = idempotency_key_from(token)
        if key is None:
            raise forms.ValidationError(
                _("This form has expired or was not sent by this site. Check your entries and send it again."),
                code="token",
            )
        self.idempotency_key = key
        return token

    def clean_compound(self):
        code = (self.cleaned_data.get("compound") or "").strip()
        area = Area.objects.filter(code=code).first() if code else None
        if area is None:
            raise forms.ValidationError(_("Choose a residential compound."), code="compound")
        # Whether it is a compound is the service's rule (validate_intake).
        self.compound_area = area
        return area

    def clean_photo(self):
        return clean_photo(self.cleaned_data.get("photo"))

    def renew_token(self) -> None:
        """After a forged or expired token: render the form with a fresh one."""
        self.data = self.data.copy()
        self.data["token"] = new_form_token()


class TrackLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"), max_length=20,
        widget=forms.TextInput(attrs={
            "autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
            "placeholder": "ABCD234567", "class": "code-input",
        }),
    )
    last4 = forms.CharField(
        label=_("Last 4 digits of your mobile number"), max_length=4, min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])

    def clean_last4(self):
        value = self.cleaned_data["last4"].strip()
        if not re.fullmatch(r"\d{4}", value):
            raise forms.ValidationError(_("Enter 4 digits."), code="last4")
        return value


def normalise_code(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def looks_like_code(value: str) -> bool:
    return len(value) == 10 and all(ch in TRACKING_ALPHABET for ch in value)


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Why do you withdraw it? (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


RATING_CHOICES = [(value, label) for value, label in reversed(Rating.choices)]


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you?"), choices=RATING_CHOICES, coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public board with your rating, without your name. Do not write personal details."),
    )


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("What is still not solved?"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what is still not solved.")},
    )

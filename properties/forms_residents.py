"""Forms of the households, disputes and owners' rating pages. They only parse
input; the services in ``properties.services_residents`` validate and save."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Area, AreaKind
from governance.web.forms import (
    AreaChoiceField,
    DateInput,
    ParseOnlyModelForm,
    ScopedForm,
    area_label,
)

from .models import Dispute, OwnerRating, PropertyCompany
from .services_residents import COMMENT_MAX


def _compounds(qs):
    return qs.filter(kind=AreaKind.COMPOUND).order_by("path")


class HouseholdBulkForm(ScopedForm):
    compound = AreaChoiceField(queryset=Area.objects.none(), label=_("compound"))
    lines = forms.CharField(
        label=_("households, one per line"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false",
                                     "placeholder": "1-1-101\n1-1-102\n1栋,2单元,301"}),
        help_text=_(
            "Building, unit and room on each line, separated by dashes or commas: "
            "1-2-301, 1栋,2单元,301 or 3-502 (no unit). A CSV with the columns "
            "building,unit,room works too. Households already recorded are skipped."
        ),
    )

    def scope_fields(self, user):
        self.fields["compound"].queryset = _compounds(Area.objects.changeable_by(user))


class DisputeForm(ParseOnlyModelForm):
    compound = AreaChoiceField(queryset=Area.objects.none(), label=_("compound"))

    class Meta:
        model = Dispute
        fields = ["compound", "company", "subject", "parties", "outcome", "mediated_on", "note"]
        widgets = {"mediated_on": DateInput(), "note": forms.Textarea(attrs={"rows": 4})}

    def scope_fields(self, user):
        self.fields["compound"].queryset = _compounds(Area.objects.visible_to(user))
        self.fields["company"].queryset = PropertyCompany.objects.visible_to(user).order_by("name", "pk")
        self.fields["company"].required = False


class DisputeCountsForm(ScopedForm):
    area = AreaChoiceField(queryset=Area.objects.none(), label=_("area"))
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("half year"), coerce=int, required=False, empty_value=None,
        choices=[("", _("Whole year")), (1, _("First half (January–June)")),
                 (2, _("Second half (July–December)"))],
    )

    def scope_fields(self, user):
        areas = Area.objects.visible_to(user).exclude(kind=AreaKind.BUILDING).order_by("path")
        self.fields["area"].queryset = areas
        self.fields["area"].widget.choices = [(a.pk, area_label(a)) for a in areas]


# --- the residents' form -------------------------------------------------------------------

STAR_CHOICES = [
    (5, _("Very good")),
    (4, _("Good")),
    (3, _("Fair")),
    (2, _("Poor")),
    (1, _("Very poor")),
]


class RateCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Rating code"), max_length=30,
        widget=forms.TextInput(attrs={
            "class": "code-input", "autocomplete": "off", "autocapitalize": "characters",
            "spellcheck": "false", "placeholder": "ABCDE-FGHJK",
        }),
        help_text=_("The 10 letters and digits on the slip your community gave your household."),
        error_messages={"required": _("Enter the rating code from your slip.")},
    )


def _aspect(name):
    return forms.TypedChoiceField(
        label=OwnerRating._meta.get_field(name).verbose_name, choices=STAR_CHOICES, coerce=int,
        widget=forms.RadioSelect, error_messages={"required": _("Choose 1 to 5 stars.")},
    )


class RateForm(forms.Form):
    code = forms.CharField(max_length=30, widget=forms.HiddenInput)
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    service = _aspect("service")
    cleanliness = _aspect("cleanliness")
    security = _aspect("security")
    maintenance = _aspect("maintenance")
    transparency = _aspect("transparency")
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the staff only, without your household. Do not write names or phone numbers."),
    )

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(16)

    def aspect_fields(self):
        return [self[name] for name in OwnerRating.ASPECTS]

"""Input forms of the star rating pages. They parse; ``services_ratings`` validates
and saves (its errors come back onto the form)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import ROOT_KINDS, STREET_KINDS, Area, AreaKind
from governance.web.forms import AreaChoiceField, DateInput, ScopedForm

from .checklist import CHECKLIST
from .models import Half, PropertyCompany, RatingPeriod
from .selectors_ratings import companies_rated_for, period_services


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (local time)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _model_label(name):
    return RatingPeriod._meta.get_field(name).verbose_name


class _PeriodSettingsForm(ScopedForm):
    opens_at = forms.DateTimeField(label=_("opens at"), required=False, widget=DateTimeInput)
    closes_at = forms.DateTimeField(label=_("closes at"), required=False, widget=DateTimeInput)
    weight_owners = forms.IntegerField(label=_model_label("weight_owners"), initial=50)
    weight_review = forms.IntegerField(label=_model_label("weight_review"), initial=25)
    weight_inspection = forms.IntegerField(label=_model_label("weight_inspection"), initial=25)
    star5_min = forms.IntegerField(label=_model_label("star5_min"), initial=90)
    star4_min = forms.IntegerField(label=_model_label("star4_min"), initial=80)
    star3_min = forms.IntegerField(label=_model_label("star3_min"), initial=70)
    star2_min = forms.IntegerField(
        label=_model_label("star2_min"), initial=60, help_text=_("Below this total: one star.")
    )
    min_owner_ratings = forms.IntegerField(
        label=_model_label("min_owner_ratings"), initial=10,
        help_text=_("A company with fewer owners' ratings is listed as \"insufficient sample\", without stars."),
    )
    # The service reports the weights' sum and the thresholds' order under these names.
    field_aliases = {"weights": "weight_owners", "thresholds": "star5_min"}

    def settings(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("opens_at", "closes_at"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class RatingPeriodCreateForm(_PeriodSettingsForm):
    """A district administrator sets up a half year's rating (window empty: the
    default dates)."""

    district = AreaChoiceField(label=_("district"), queryset=Area.objects.none(), empty_label="—")
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("half year"), choices=Half.choices, coerce=int)
    field_order = ["district", "year", "half"]

    def scope_fields(self, user):
        roots = Area.objects.changeable_by(user).filter(kind__in=sorted(ROOT_KINDS)).order_by("path")
        self.fields["district"].queryset = roots
        self.fields["opens_at"].help_text = _("Empty: 1 June (first half) or 1 December (second half), 00:00.")
        self.fields["closes_at"].help_text = _("Empty: 15 July or 15 January, 00:00.")


class RatingPeriodEditForm(_PeriodSettingsForm):
    pass


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OrgReviewForm(ScopedForm):
    company = CompanyChoiceField(label=_("company"), queryset=PropertyCompany.objects.none(), empty_label="—")
    area = AreaChoiceField(label=_("reviewed by (node)"), queryset=Area.objects.none(), empty_label="—")
    score = forms.DecimalField(label=_("score"), min_value=0, max_value=100, decimal_places=2,
                               help_text=_("0 to 100. Reviewing again replaces your node's score."))
    note = forms.CharField(label=_("note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, period: RatingPeriod, **kwargs):
        self.period = period
        super().__init__(*args, **kwargs)

    def scope_fields(self, user):
        self.fields["company"].queryset = companies_rated_for(user, self.period).order_by("name", "pk")
        self.fields["area"].queryset = (
            Area.objects.changeable_by(user).within(self.period.district)
            .filter(kind__in=sorted({*STREET_KINDS, AreaKind.COMMUNITY, AreaKind.GRID}))
            .order_by("path")
        )


class InspectionForm(ScopedForm):
    """The checklist: one field per item (0 to its maximum points)."""

    company = CompanyChoiceField(label=_("company"), queryset=PropertyCompany.objects.none(), empty_label="—")
    compound = AreaChoiceField(label=_("compound"), queryset=Area.objects.none(), empty_label="—")
    inspected_on = forms.DateField(label=_("inspected on"), widget=DateInput)
    note = forms.CharField(label=_("note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, period: RatingPeriod, **kwargs):
        self.period = period
        super().__init__(*args, **kwargs)
        for item in CHECKLIST:
            self.fields[f"item_{item.code}"] = forms.IntegerField(
                label=item.label, min_value=0, max_value=item.max_points,
                help_text=_("%(guidance)s (0–%(max)s points)") % {"guidance": item.guidance, "max": item.max_points},
            )
        self.order_fields(["company", "compound", "inspected_on", *self.item_names(), "note"])

    @staticmethod
    def item_names():
        return [f"item_{item.code}" for item in CHECKLIST]

    def scope_fields(self, user):
        services = period_services(self.period)
        self.fields["company"].queryset = companies_rated_for(user, self.period).order_by("name", "pk")
        self.fields["compound"].queryset = (
            Area.objects.changeable_by(user).filter(pk__in=services.values("compound_id")).order_by("path")
        )

    def items(self) -> dict[str, int]:
        return {item.code: self.cleaned_data[f"item_{item.code}"] for item in CHECKLIST}

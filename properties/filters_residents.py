"""FilterSets of households, owners' ratings and disputes, shared by the API and the
staff pages (both pass the request, so choices are limited to what the caller sees)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from communities.filters import SearchFilter
from communities.models import AreaKind
from governance.filters import WithinFilter, visible_areas

from .models import Dispute, DisputeOutcome, Household, OwnerRating, PropertyCompany, RatingPeriod
from .selectors_ratings import half_bounds
from .selectors_residents import parse_half


def visible_compounds(request):
    return visible_areas(request).filter(kind=AreaKind.COMPOUND)


def visible_companies(request):
    return PropertyCompany.objects.visible_to(getattr(request, "user", None))


def visible_periods(request):
    return RatingPeriod.objects.visible_to(getattr(request, "user", None))


def validate_half(value) -> None:
    try:
        parse_half(value)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class HouseholdFilterSet(django_filters.FilterSet):
    compound = django_filters.ModelChoiceFilter(queryset=visible_compounds, label=_("compound"))
    within = WithinFilter(path_lookup="compound__path")
    is_active = django_filters.BooleanFilter(label=_("active"))
    building = django_filters.CharFilter(label=_("building"))
    search = SearchFilter(fields=("building", "room"))

    class Meta:
        model = Household
        fields = ["compound", "within", "is_active", "building", "search"]


class OwnerRatingFilterSet(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(queryset=visible_periods, label=_("rating period"))
    company = django_filters.ModelChoiceFilter(queryset=visible_companies, label=_("company"))
    compound = django_filters.ModelChoiceFilter(queryset=visible_compounds, label=_("compound"))
    within = WithinFilter(path_lookup="compound__path")
    replaced = django_filters.BooleanFilter(method="filter_replaced", label=_("replaced an earlier rating"))
    search = SearchFilter(fields=("comment",))

    class Meta:
        model = OwnerRating
        fields = ["period", "company", "compound", "within", "replaced", "search"]

    def filter_replaced(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(times_replaced__gt=0) if value else qs.filter(times_replaced=0)


class DisputeFilterSet(django_filters.FilterSet):
    compound = django_filters.ModelChoiceFilter(queryset=visible_compounds, label=_("compound"))
    company = django_filters.ModelChoiceFilter(queryset=visible_companies, label=_("company"))
    within = WithinFilter(path_lookup="compound__path")
    outcome = django_filters.MultipleChoiceFilter(
        choices=DisputeOutcome.choices, label=_("outcome"), distinct=False
    )
    mediated_from = django_filters.DateFilter(
        field_name="mediated_on", lookup_expr="gte", label=_("mediated on or after")
    )
    mediated_to = django_filters.DateFilter(
        field_name="mediated_on", lookup_expr="lte", label=_("mediated on or before")
    )
    half = django_filters.CharFilter(
        method="filter_half", label=_("half year (e.g. 2026H1)"), validators=[validate_half]
    )
    search = SearchFilter(fields=("subject", "parties"))

    class Meta:
        model = Dispute
        fields = ["compound", "company", "within", "outcome", "mediated_from", "mediated_to", "half", "search"]

    def filter_half(self, qs, name, value):
        if not value:
            return qs
        start, end = half_bounds(*parse_half(value))
        return qs.filter(mediated_on__gte=start, mediated_on__lte=end)

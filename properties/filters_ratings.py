"""FilterSets of the star rating, shared by the API and the staff pages. Both pass
the request, so area and company choices are limited to what the caller sees."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from communities.filters import SearchFilter
from communities.models import ROOT_KINDS
from governance.filters import WithinFilter, visible_areas

from .models import (
    Half,
    Inspection,
    OrgReview,
    PeriodStatus,
    RatingPeriod,
    RatingResult,
    ResultStatus,
)


def visible_roots(request):
    return visible_areas(request).filter(kind__in=sorted(ROOT_KINDS))


def visible_periods(request):
    # Company staff see periods through their results (a join): distinct rows.
    return RatingPeriod.objects.visible_to(getattr(request, "user", None)).distinct()


class RatingPeriodFilterSet(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(queryset=visible_roots, label=_("district"))
    year = django_filters.NumberFilter(label=_("year"))
    half = django_filters.ChoiceFilter(choices=Half.choices, label=_("half year"))
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices, label=_("status"))
    search = SearchFilter(fields=("district__name",))

    class Meta:
        model = RatingPeriod
        fields = ["district", "year", "half", "status", "search"]


class OrgReviewFilterSet(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period_id", label=_("rating period"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("company"))
    area = django_filters.NumberFilter(field_name="area_id", label=_("reviewed by (node)"))
    within = WithinFilter(path_lookup="area__path")
    search = SearchFilter(fields=("company__name", "area__name"))

    class Meta:
        model = OrgReview
        fields = ["period", "company", "area", "within", "search"]


class InspectionFilterSet(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period_id", label=_("rating period"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("company"))
    compound = django_filters.NumberFilter(field_name="compound_id", label=_("compound"))
    within = WithinFilter(path_lookup="compound__path")
    search = SearchFilter(fields=("company__name", "compound__name"))

    class Meta:
        model = Inspection
        fields = ["period", "company", "compound", "within", "search"]


class RatingResultFilterSet(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(queryset=visible_periods, label=_("rating period"))
    company = django_filters.NumberFilter(field_name="company_id", label=_("company"))
    stars = django_filters.MultipleChoiceFilter(
        choices=[(n, "★" * n) for n in range(5, 0, -1)], label=_("stars"), distinct=False
    )
    status = django_filters.ChoiceFilter(choices=ResultStatus.choices, label=_("status"))
    search = SearchFilter(fields=("company__name",))

    class Meta:
        model = RatingResult
        fields = ["period", "company", "stars", "status", "search"]

"""The FilterSet of cross-appointments (双向进入、交叉任职), shared by the API and the
staff list (both pass the request, so choices are limited to what the caller sees)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from communities.filters import SearchFilter
from communities.models import AreaKind
from governance.filters import WithinFilter, visible_areas

from .models import Committee, CrossAppointment, CrossAppointmentKind, PropertyCompany


def visible_communities(request):
    return visible_areas(request).filter(kind__in=[AreaKind.COMMUNITY, AreaKind.GRID])


def visible_companies(request):
    return PropertyCompany.objects.visible_to(getattr(request, "user", None))


def visible_committees(request):
    return Committee.objects.visible_to(getattr(request, "user", None))


class CrossAppointmentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CrossAppointmentKind.choices, label=_("kind"))
    within = WithinFilter(path_lookup="community__path")
    community = django_filters.ModelChoiceFilter(queryset=visible_communities, label=_("community"))
    company = django_filters.ModelChoiceFilter(queryset=visible_companies, label=_("company"))
    committee = django_filters.ModelChoiceFilter(queryset=visible_committees, label=_("owners' committee"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("current"))
    search = SearchFilter(fields=("person_name",))

    class Meta:
        model = CrossAppointment
        fields = ["kind", "within", "community", "company", "committee", "current", "search"]

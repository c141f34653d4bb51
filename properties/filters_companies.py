"""FilterSets of property companies and service modes, shared by the API and the
staff pages (both pass the request, so choices are limited to what the caller sees)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.filters import SearchFilter
from communities.models import AreaKind
from governance.filters import WithinFilter, visible_areas

from .models import PropertyCompany, ServiceMode, ServiceModeKind


def visible_companies(request):
    return PropertyCompany.objects.visible_to(getattr(request, "user", None))


def visible_compounds(request):
    return visible_areas(request).filter(kind=AreaKind.COMPOUND)


class PropertyCompanyFilterSet(django_filters.FilterSet):
    within = WithinFilter(path_lookup="area__path", label=_("registered within"))
    has_party_org = django_filters.BooleanFilter(method="filter_party_org", label=_("has a party organisation"))
    is_active = django_filters.BooleanFilter(label=_("active"))
    search = SearchFilter(fields=("name", "credit_code"))

    class Meta:
        model = PropertyCompany
        fields = ["within", "has_party_org", "is_active", "search"]

    def filter_party_org(self, qs, name, value):
        if value is None:
            return qs
        q = Q(party_org__isnull=False) | Q(party_branch__isnull=False)
        return qs.filter(q) if value else qs.exclude(q)


class ServiceModeFilterSet(django_filters.FilterSet):
    compound = django_filters.ModelChoiceFilter(queryset=visible_compounds, label=_("compound"))
    within = WithinFilter(path_lookup="compound__path")
    kind = django_filters.MultipleChoiceFilter(
        choices=ServiceModeKind.choices, label=_("service mode"), distinct=False
    )
    company = django_filters.ModelChoiceFilter(queryset=visible_companies, label=_("company"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("current"))
    has_company = django_filters.BooleanFilter(
        field_name="company", lookup_expr="isnull", exclude=True, label=_("served by a company")
    )
    search = SearchFilter(fields=("compound__name", "company__name", "responsible_body"))

    class Meta:
        model = ServiceMode
        fields = ["compound", "within", "kind", "company", "current", "has_company", "search"]

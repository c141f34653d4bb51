import django_filters
from django.utils.translation import gettext_lazy as _

from communities.filters import SearchFilter
from governance.filters import WithinFilter, visible_areas

from .models import HierarchyScheme, PartyOrganisation, Post, PostRole


class PartyOrgFilterSet(django_filters.FilterSet):
    scheme = django_filters.ModelChoiceFilter(
        queryset=HierarchyScheme.objects.all(), label=_("scheme")
    )
    level = django_filters.NumberFilter(label=_("level"))
    within = WithinFilter(path_lookup="area__path")
    covered_area = django_filters.ModelChoiceFilter(
        queryset=visible_areas, label=_("covered area")
    )
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("parent organisation"))
    search = SearchFilter(fields=("name",))

    class Meta:
        model = PartyOrganisation
        fields = ["scheme", "level", "within", "covered_area", "parent", "search"]


class PostFilterSet(django_filters.FilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id", label=_("organisation"))
    role = django_filters.ChoiceFilter(choices=PostRole.choices, label=_("role"))
    current = django_filters.BooleanFilter(
        field_name="ended_on", lookup_expr="isnull", label=_("current")
    )
    within = WithinFilter(path_lookup="organisation__area__path")

    class Meta:
        model = Post
        fields = ["organisation", "role", "current", "within"]

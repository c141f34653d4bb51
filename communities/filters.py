import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.filters import WithinFilter, visible_areas

from .models import Area, AreaKind, Enterprise


class SearchFilter(django_filters.CharFilter):
    """Case-insensitive match on any of ``fields``."""

    def __init__(self, *args, fields=("name",), **kwargs):
        self.fields = fields
        kwargs.setdefault("label", _("search"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        q = Q()
        for field in self.fields:
            q |= Q(**{f"{field}__icontains": value})
        return qs.filter(q)


class AreaFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=AreaKind.choices, label=_("kind"), distinct=False)
    parent = django_filters.ModelChoiceFilter(queryset=visible_areas, label=_("parent"))
    within = WithinFilter(path_lookup="path")
    search = SearchFilter(fields=("name", "code"))
    is_old_compound = django_filters.BooleanFilter(label=_("old compound"))

    class Meta:
        model = Area
        fields = ["kind", "parent", "within", "search", "is_old_compound"]


class EnterpriseFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=Enterprise.Kind.choices, label=_("type"), distinct=False)
    area = django_filters.ModelChoiceFilter(queryset=visible_areas, label=_("registered in"))
    within = WithinFilter(path_lookup="area__path")
    search = SearchFilter(fields=("name", "credit_code"))
    has_party_org = django_filters.BooleanFilter(
        field_name="party_orgs", lookup_expr="isnull", exclude=True, label=_("has a party organisation")
    )

    class Meta:
        model = Enterprise
        fields = ["kind", "area", "within", "search", "has_party_org"]

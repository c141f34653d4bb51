"""Filters shared by FilterSets of both the API and the HTML lists."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


def visible_areas(request):
    from communities.models import Area

    return Area.objects.visible_to(getattr(request, "user", None))


@extend_schema_field(OpenApiTypes.INT)
class WithinFilter(django_filters.ModelChoiceFilter):
    """``within=<area id>``: rows anchored in that area's subtree (the area included).

    The area must be one the caller can see; another id is a validation error.
    """

    def __init__(self, *args, path_lookup: str = "path", **kwargs):
        self.path_lookup = path_lookup
        kwargs.setdefault("queryset", visible_areas)
        kwargs.setdefault("label", _("within"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.path_lookup}__startswith": value.path})

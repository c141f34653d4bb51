"""Reads of the territory tree shared by several apps' pages."""

from .models import Area, AreaKind


def area_options(user, *, exclude_kinds=(AreaKind.BUILDING,)) -> list[Area]:
    """The areas ``user`` sees, for a filter or form drop-down, in tree order. Buildings
    are left out by default (hundreds of them, never filtered on)."""
    qs = Area.objects.visible_to(user).exclude(kind__in=sorted(exclude_kinds))
    return list(qs.only("pk", "name", "kind", "depth", "path").order_by("path"))

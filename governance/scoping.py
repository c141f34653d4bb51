"""The one access rule of the portal.

A staff member holds roles on territory nodes (see :class:`governance.models.StaffRole`).
Every record is anchored at a territory node (an area itself, the area an enterprise is
registered in, the area a party organisation covers, ...). Then:

* a user **sees** a record whose anchor lies inside a subtree where they hold any role,
  and, read-only, a record anchored at one of the nodes *above* those roles (so a
  community's staff see the street and district they belong to, as context);
* a user **changes** a record whose anchor lies inside a subtree where they hold a role
  that may edit;
* superusers see and change everything.

Querysets apply this with ``visible_to(user)`` and ``changeable_by(user)``
(:class:`ScopedQuerySet`); API viewsets and HTML views both start from
``visible_to`` (so an invisible record is a 404) and services call
:func:`require_change` before writing (so a visible but foreign record is a 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from .tree import ids_in_path

_CACHE_ATTR = "_governance_scope"


@dataclass(frozen=True)
class Scope:
    sees_all: bool
    read_paths: tuple[str, ...]
    write_paths: tuple[str, ...]
    context_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not (self.sees_all or self.read_paths)

    @property
    def can_write(self) -> bool:
        """Whether the user holds an editing role anywhere (or is a superuser)."""
        return self.sees_all or bool(self.write_paths)


NO_SCOPE = Scope(sees_all=False, read_paths=(), write_paths=(), context_ids=frozenset())


def _outermost(paths) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the set (fewer OR terms)."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(sees_all=True, read_paths=(), write_paths=(), context_ids=frozenset())
    else:
        from .models import StaffRole

        roles = list(StaffRole.objects.filter(user=user).values_list("role", "area__path"))
        read = _outermost(path for _role, path in roles)
        write = _outermost(path for role, path in roles if StaffRole.Role(role).can_edit)
        context = frozenset(
            area_id for path in read for area_id in ids_in_path(path)[:-1]
        )
        scope = Scope(sees_all=False, read_paths=read, write_paths=write, context_ids=context)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's roles changed."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _prefix_q(lookup: str, paths) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows are anchored at an area.

    Subclasses name two lookups: ``scope_path_lookup``, the anchor area's path, and
    ``scope_area_lookup``, the anchor area's id.
    """

    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"

    def visibility_q(self, user) -> Q | None:
        """The rows ``user`` sees as a ``Q`` (``None``: all of them)."""
        scope = scope_for(user)
        if scope.sees_all:
            return None
        q = _prefix_q(self.scope_path_lookup, scope.read_paths)
        if scope.context_ids:
            q |= Q(**{f"{self.scope_area_lookup}__in": sorted(scope.context_ids)})
        return q

    def visible_to(self, user):
        scope = scope_for(user)
        if scope.sees_all:
            return self
        if scope.is_empty:
            return self.none()
        return self.filter(self.visibility_q(user))

    def changeable_by(self, user):
        scope = scope_for(user)
        if scope.sees_all:
            return self
        if not scope.write_paths:
            return self.none()
        return self.filter(_prefix_q(self.scope_path_lookup, scope.write_paths))


def can_change(user, obj) -> bool:
    return type(obj)._default_manager.changeable_by(user).filter(pk=obj.pk).exists()


def require_writer(user, *, message: str | None = None) -> None:
    """Raise PermissionDenied (HTTP 403) unless ``user`` may change something somewhere:
    read-only roles get the 403 before a form or a request body is looked at, not
    errors about records they cannot choose."""
    if not scope_for(user).can_write:
        raise PermissionDenied(message or _("You may only read these records."))


def require_change(user, obj, *, message: str | None = None) -> None:
    """Raise PermissionDenied (HTTP 403) unless ``user`` may change ``obj``."""
    if not can_change(user, obj):
        raise PermissionDenied(message or _("You may not change records outside your scope."))

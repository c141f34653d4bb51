"""Who sees property records: the portal's one territory rule, plus the staff of a
property company, who see their own company, the compounds it serves and its results.

Company staff hold no territory role (a company serves compounds scattered over many
communities, and must not see the wishes or party records there), so their access is
a membership (:class:`properties.models.CompanyStaff`) that every property queryset
adds to the territory rule through :class:`PropertyScopedQuerySet`. It never grants a
change: company staff read only.
"""

from __future__ import annotations

from django.db.models import Q

from governance.scoping import ScopedQuerySet, scope_for

_CACHE_ATTR = "_property_company_ids"


def company_ids_for(user) -> tuple[int, ...]:
    """Ids of the companies whose staff ``user`` is (one query, cached on the user)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import CompanyStaff

    ids = tuple(sorted(CompanyStaff.objects.filter(user=user).values_list("company_id", flat=True)))
    setattr(user, _CACHE_ATTR, ids)
    return ids


def forget_companies(user) -> None:
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_property_user(user) -> bool:
    """A staff member with a territory role, or a property company's staff."""
    return not scope_for(user).is_empty or bool(company_ids_for(user))


class PropertyScopedQuerySet(ScopedQuerySet):
    """The territory rule, plus rows of the user's own companies (read-only).

    ``company_lookup`` names the path from the row to a company id (``None``: company
    staff see none of these rows, e.g. individual owners' ratings).
    """

    company_lookup: str | None = None

    def visible_to(self, user):
        companies = company_ids_for(user) if self.company_lookup else ()
        if not companies:
            return super().visible_to(user)
        q = self.visibility_q(user)
        if q is None:
            return self
        return self.filter(q | Q(**{f"{self.company_lookup}__in": companies}))

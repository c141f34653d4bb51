"""Writes to the territory tree and the enterprise registry.

Every function takes the acting user, checks their scope, validates the whole
record, locks what it changes and writes an audit event, all in one transaction.
Forms and API serializers call these; they never save models themselves.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance.audit import record_event
from governance.scoping import require_change, scope_for
from governance.tree import tree_insert, tree_move

from .models import ALLOWED_PARENT_KINDS, ENTERPRISE_AREA_KINDS, Area, AreaKind, Enterprise, Person

AREA_FIELDS = (
    "kind", "name", "code", "address", "latitude", "longitude",
    "households", "is_old_compound", "build_year",
)


def _kind_label(kind) -> str:
    return str(AreaKind(kind).label)


def check_parent_fits(kind: str, parent: Area | None) -> None:
    allowed = ALLOWED_PARENT_KINDS[kind]
    if parent is None:
        if allowed:
            raise ValidationError(
                {"parent": _("A %(kind)s needs a parent: one of %(allowed)s.") % {
                    "kind": _kind_label(kind),
                    "allowed": "、".join(_kind_label(k) for k in sorted(allowed)),
                }}
            )
        return
    if parent.kind not in allowed:
        if not allowed:
            message = _("A %(kind)s is a root of the tree and cannot have a parent.") % {
                "kind": _kind_label(kind)
            }
        else:
            message = _("A %(kind)s cannot be placed under a %(parent)s; it belongs under: %(allowed)s.") % {
                "kind": _kind_label(kind),
                "parent": _kind_label(parent.kind),
                "allowed": "、".join(_kind_label(k) for k in sorted(allowed)),
            }
        raise ValidationError({"parent": message})


def _check_compound_fields(area: Area) -> None:
    if area.kind != AreaKind.COMPOUND:
        errors = {}
        if area.is_old_compound:
            errors["is_old_compound"] = _("Only a residential compound can be an old compound.")
        if area.build_year is not None:
            errors["build_year"] = _("Only a residential compound has a build year.")
        if errors:
            raise ValidationError(errors)


def _check_children_fit(area: Area) -> None:
    bad = area.children.exclude(kind__in=[
        kind for kind, parents in ALLOWED_PARENT_KINDS.items() if area.kind in parents
    ])
    if bad.exists():
        raise ValidationError({"kind": _(
            "This node has children (e.g. %(child)s) that cannot sit under a %(kind)s."
        ) % {"child": bad.first().name, "kind": _kind_label(area.kind)}})


def _validate(area: Area) -> None:
    # The rules with a field to point at speak first; full_clean would report the
    # same faults as anonymous check-constraint violations.
    _check_compound_fields(area)
    check_parent_fits(area.kind, area.parent)
    area.full_clean(exclude=["path", "depth", "parent"])


def _require_create_under(actor, parent: Area | None) -> None:
    if parent is None:
        if not scope_for(actor).sees_all:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("Only a superuser can add a district or county."))
        return
    require_change(actor, parent, message=_("You may not add nodes under an area outside your scope."))


@transaction.atomic
def area_create(*, actor, parent: Area | None, **fields) -> Area:
    _require_create_under(actor, parent)
    if parent is not None:
        # Lock the parent so a concurrent move cannot re-hang it while we copy its path.
        parent = Area.objects.select_for_update().get(pk=parent.pk)
    area = Area(parent=parent, **{k: v for k, v in fields.items() if k in AREA_FIELDS})
    _validate(area)
    tree_insert(area, parent=parent)
    record_event(obj=area, actor=actor, action="created", to_state=area.path)
    return area


@transaction.atomic
def area_update(*, actor, area: Area, **fields) -> Area:
    """Change an area's own fields; a change of parent goes through :func:`area_move`."""
    require_change(actor, area)
    area = Area.objects.select_for_update().get(pk=area.pk)
    changed = []
    for name in AREA_FIELDS:
        if name in fields and getattr(area, name) != fields[name]:
            setattr(area, name, fields[name])
            changed.append(name)
    if not changed:
        return area
    _validate(area)
    if "kind" in changed:
        _check_children_fit(area)
    area.save()
    record_event(obj=area, actor=actor, action="updated", note=", ".join(changed))
    return area


@transaction.atomic
def area_move(*, actor, area: Area, new_parent: Area | None) -> Area:
    """Re-hang ``area`` and its subtree under ``new_parent``.

    Both rows are locked in id order (so two opposite moves cannot deadlock on
    them), then re-read: a move that committed while we waited may have changed
    their paths, and the cycle check must see the paths as they are now.
    """
    require_change(actor, area)
    _require_create_under(actor, new_parent)
    ids = sorted({area.pk} | ({new_parent.pk} if new_parent else set()))
    locked = {a.pk: a for a in Area.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    area = locked[area.pk]
    new_parent = locked[new_parent.pk] if new_parent else None
    if (area.parent_id or None) == (new_parent.pk if new_parent else None):
        return area
    if new_parent is not None and new_parent.path.startswith(area.path):
        raise ValidationError({"parent": _(
            "Cannot move %(area)s under %(parent)s: that is inside its own subtree."
        ) % {"area": area.name, "parent": new_parent.name}})
    check_parent_fits(area.kind, new_parent)
    _check_party_orgs_follow(area, new_parent)
    old_path = area.path
    rows = tree_move(area, new_parent=new_parent)
    record_event(
        obj=area, actor=actor, action="moved", from_state=old_path, to_state=area.path,
        note=_("%(rows)d nodes moved") % {"rows": rows},
    )
    return area


def _check_party_orgs_follow(area: Area, new_parent: Area | None) -> None:
    """Refuse a move that would leave a party organisation inside the subtree hanging
    under a parent organisation that no longer covers where it now is."""
    from partyorgs.models import PartyOrganisation

    new_ancestry = new_parent.path if new_parent else "/"
    strays = (
        PartyOrganisation.objects.filter(area__path__startswith=area.path, parent__isnull=False)
        .exclude(parent__area__path__startswith=area.path)
        .select_related("parent__area")
    )
    for org in strays:
        if not new_ancestry.startswith(org.parent.area.path):
            raise ValidationError({"parent": _(
                "%(org)s belongs to %(parent_org)s, which does not cover the new place; "
                "attach it to another organisation first."
            ) % {"org": org.name, "parent_org": org.parent.name}})


@transaction.atomic
def area_delete(*, actor, area: Area) -> None:
    require_change(actor, area)
    area = Area.objects.select_for_update().get(pk=area.pk)
    if area.children.exists():
        raise ValidationError(_("Remove or move the nodes under %(area)s first.") % {"area": area.name})
    if area.enterprises.exists() or area.party_orgs.exists() or area.people.exists():
        raise ValidationError(
            _("%(area)s still has enterprises, party organisations or people registered.")
            % {"area": area.name}
        )
    record_event(obj=area, actor=actor, action="deleted", from_state=area.path, note=area.name)
    area.staff_roles.all().delete()
    area.delete()


ENTERPRISE_FIELDS = ("name", "credit_code", "kind", "area", "address", "employees")


def _validate_enterprise(enterprise: Enterprise) -> None:
    if enterprise.credit_code:
        enterprise.credit_code = enterprise.credit_code.strip().upper()
    enterprise.full_clean()
    if enterprise.area.kind not in ENTERPRISE_AREA_KINDS:
        raise ValidationError({"area": _(
            "An enterprise is registered in a community, a grid or a development zone, not a %(kind)s."
        ) % {"kind": _kind_label(enterprise.area.kind)}})


@transaction.atomic
def enterprise_create(*, actor, **fields) -> Enterprise:
    enterprise = Enterprise(**{k: v for k, v in fields.items() if k in ENTERPRISE_FIELDS})
    require_change(actor, enterprise.area, message=_("You may not register enterprises outside your scope."))
    _validate_enterprise(enterprise)
    enterprise.save()
    record_event(obj=enterprise, actor=actor, action="created", to_state=enterprise.credit_code)
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, **fields) -> Enterprise:
    require_change(actor, enterprise)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    changed = [
        name for name in ENTERPRISE_FIELDS
        if name in fields and getattr(enterprise, name) != fields[name]
    ]
    if not changed:
        return enterprise
    for name in changed:
        setattr(enterprise, name, fields[name])
    if "area" in changed:
        require_change(actor, enterprise.area, message=_("You may not move an enterprise outside your scope."))
        for org in enterprise.party_orgs.select_related("parent__area"):
            if org.parent and not enterprise.area.path.startswith(org.parent.area.path):
                raise ValidationError({"area": _(
                    "Its party organisation belongs to %(parent_org)s, which does not cover that area."
                ) % {"parent_org": org.parent.name}})
    _validate_enterprise(enterprise)
    enterprise.save()
    if "area" in changed:
        # Party organisations covering the enterprise move with it in the territory.
        enterprise.party_orgs.update(area=enterprise.area)
    record_event(obj=enterprise, actor=actor, action="updated", note=", ".join(changed))
    return enterprise


@transaction.atomic
def person_create(*, actor, name: str, area: Area, is_party_member: bool = True) -> Person:
    require_change(actor, area, message=_("You may not register people outside your scope."))
    person = Person(name=name, area=area, is_party_member=is_party_member)
    person.full_clean()
    person.save()
    record_event(obj=person, actor=actor, action="created")
    return person

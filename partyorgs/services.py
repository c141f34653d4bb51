"""Writes to the party-organisation trees and their posts.

The tree rules, in one place: an organisation's level exists in its scheme; level 1
has no parent and every other level has a parent one level up in the same scheme;
it covers a unit of the kind its level names; and that unit lies inside what its
parent covers, so the party tree never points outside the territory it hangs from.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Area, Enterprise, Person
from governance.audit import record_event
from governance.scoping import require_change
from governance.tree import tree_insert, tree_move

from .models import CoveredKind, HierarchyScheme, PartyOrganisation, Post, PostRole


def _anchor(covered_area: Area | None, covered_enterprise: Enterprise | None) -> Area | None:
    if covered_enterprise is not None:
        return covered_enterprise.area
    return covered_area


def _validate_org(
    *,
    scheme: HierarchyScheme,
    level: int,
    parent: PartyOrganisation | None,
    covered_area: Area | None,
    covered_enterprise: Enterprise | None,
    exclude_pk: int | None = None,
) -> None:
    scheme_level = scheme.levels.filter(number=level).first()
    if scheme_level is None:
        raise ValidationError({"level": _("The scheme %(scheme)s has no level %(level)s.") % {
            "scheme": scheme.name, "level": level}})
    if level == 1:
        if parent is not None:
            raise ValidationError({"parent": _(
                "A level-1 organisation (%(name)s) has no parent organisation."
            ) % {"name": scheme_level.name}})
    else:
        expected = scheme.levels.filter(number=level - 1).first()
        if parent is None:
            raise ValidationError({"parent": _(
                "A %(name)s needs a parent organisation one level up (%(parent)s)."
            ) % {"name": scheme_level.name, "parent": expected.name if expected else level - 1}})
        if parent.scheme_id != scheme.pk or parent.level != level - 1:
            raise ValidationError({"parent": _(
                "A %(name)s must hang under a %(parent)s of the same scheme, not under %(given)s."
            ) % {
                "name": scheme_level.name,
                "parent": expected.name if expected else level - 1,
                "given": parent.name,
            }})

    if covered_area is not None and covered_enterprise is not None:
        raise ValidationError(_("An organisation covers either an area or an enterprise, not both."))
    if scheme_level.covers == CoveredKind.ENTERPRISE:
        if covered_enterprise is None:
            raise ValidationError({"covered_enterprise": _(
                "A %(name)s covers an enterprise: choose one."
            ) % {"name": scheme_level.name}})
    else:
        if covered_area is None or covered_area.kind != scheme_level.covers:
            raise ValidationError({"covered_area": _(
                "A %(name)s covers a %(kind)s; %(given)s is not one."
            ) % {
                "name": scheme_level.name,
                "kind": CoveredKind(scheme_level.covers).label,
                "given": covered_area.name if covered_area else _("nothing"),
            }})
    anchor = _anchor(covered_area, covered_enterprise)
    if covered_enterprise is not None:
        taken = PartyOrganisation.objects.filter(covered_enterprise=covered_enterprise)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            raise ValidationError({"covered_enterprise": _(
                "%(unit)s already has a party organisation."
            ) % {"unit": covered_enterprise.name}})
    if parent is not None and not anchor.path.startswith(parent.area.path):
        raise ValidationError({"parent": _(
            "%(unit)s lies outside %(area)s, which %(parent)s covers."
        ) % {
            "unit": (covered_enterprise or covered_area).name,
            "area": parent.area.name,
            "parent": parent.name,
        }})


@transaction.atomic
def party_org_create(
    *,
    actor,
    scheme: HierarchyScheme,
    level: int,
    name: str,
    parent: PartyOrganisation | None = None,
    covered_area: Area | None = None,
    covered_enterprise: Enterprise | None = None,
    founded_on: datetime.date | None = None,
) -> PartyOrganisation:
    anchor = _anchor(covered_area, covered_enterprise)
    if anchor is not None:
        require_change(actor, anchor, message=_("You may not add organisations outside your scope."))
    if parent is not None:
        # Locked so that the parent cannot be re-hung or deleted while we copy its path.
        parent = PartyOrganisation.objects.select_for_update().select_related("area").get(pk=parent.pk)
    _validate_org(
        scheme=scheme, level=level, parent=parent,
        covered_area=covered_area, covered_enterprise=covered_enterprise,
    )
    org = PartyOrganisation(
        scheme=scheme, level=level, name=name, covered_area=covered_area,
        covered_enterprise=covered_enterprise, area=anchor, founded_on=founded_on,
    )
    org.full_clean(exclude=["path", "depth", "parent", "area"])
    try:
        with transaction.atomic():
            tree_insert(org, parent=parent)
    except IntegrityError as exc:
        raise ValidationError({"covered_enterprise": _(
            "This enterprise already has a party organisation."
        )}) from exc
    record_event(obj=org, actor=actor, action="created", to_state=org.path)
    return org


ORG_FIELDS = ("name", "founded_on", "covered_area", "covered_enterprise")


@transaction.atomic
def party_org_update(*, actor, org: PartyOrganisation, **fields) -> PartyOrganisation:
    """Change an organisation's name, date, covered unit and/or parent."""
    require_change(actor, org)
    new_parent = fields.pop("parent", org.parent)
    ids = sorted({org.pk} | ({new_parent.pk} if new_parent else set()))
    locked = {
        o.pk: o
        for o in PartyOrganisation.objects.select_for_update()
        .select_related("area", "scheme").filter(pk__in=ids).order_by("pk")
    }
    org = locked[org.pk]
    new_parent = locked[new_parent.pk] if new_parent else None
    changed = [n for n in ORG_FIELDS if n in fields and getattr(org, n) != fields[n]]
    for name in changed:
        setattr(org, name, fields[name])
    parent_changed = (new_parent.pk if new_parent else None) != org.parent_id
    if not changed and not parent_changed:
        return org
    if new_parent is not None and new_parent.path.startswith(org.path):
        raise ValidationError({"parent": _("An organisation cannot hang under its own subtree.")})
    _validate_org(
        scheme=org.scheme, level=org.level, parent=new_parent,
        covered_area=org.covered_area, covered_enterprise=org.covered_enterprise,
        exclude_pk=org.pk,
    )
    new_anchor = _anchor(org.covered_area, org.covered_enterprise)
    if new_anchor.pk != org.area_id:
        require_change(actor, new_anchor, message=_("You may not move an organisation outside your scope."))
        stray = org.children.exclude(area__path__startswith=new_anchor.path).first()
        if stray is not None:
            raise ValidationError({"covered_area": _(
                "%(child)s would no longer lie inside what this organisation covers."
            ) % {"child": stray.name}})
        org.area = new_anchor
    org.full_clean(exclude=["path", "depth", "parent", "area"])
    org.save()
    if parent_changed:
        old_path = org.path
        tree_move(org, new_parent=new_parent)
        record_event(obj=org, actor=actor, action="moved", from_state=old_path, to_state=org.path)
    if changed:
        record_event(obj=org, actor=actor, action="updated", note=", ".join(changed))
    return org


@transaction.atomic
def party_org_delete(*, actor, org: PartyOrganisation) -> None:
    require_change(actor, org)
    org = PartyOrganisation.objects.select_for_update().get(pk=org.pk)
    if org.children.exists():
        raise ValidationError(_("Remove or re-attach the organisations under %(org)s first.") % {
            "org": org.name})
    if org.posts.current().exists():
        raise ValidationError(_("End the current posts of %(org)s first.") % {"org": org.name})
    record_event(obj=org, actor=actor, action="deleted", from_state=org.path, note=org.name)
    org.delete()


@transaction.atomic
def post_appoint(
    *,
    actor,
    organisation: PartyOrganisation,
    person: Person,
    role: str,
    started_on: datetime.date | None = None,
    lives_in_unit: bool = False,
    is_community_cadre: bool = False,
    note: str = "",
) -> Post:
    """Appoint ``person`` to a post. A sitting secretary must be ended first: the
    organisation row is locked so that two appointments cannot both see it vacant."""
    require_change(actor, organisation)
    organisation = PartyOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if role not in PostRole.values:
        raise ValidationError({"role": _("Unknown post role.")})
    current = organisation.posts.current()
    if role == PostRole.SECRETARY:
        sitting = current.secretaries().select_related("person").first()
        if sitting is not None:
            raise ValidationError({"role": _(
                "%(person)s is the sitting secretary of %(org)s; end that post first."
            ) % {"person": sitting.person.name, "org": organisation.name}})
    if current.filter(person=person, role=role).exists():
        raise ValidationError({"person": _("%(person)s already holds this post.") % {"person": person.name}})
    post = Post(
        organisation=organisation, person=person, role=role,
        started_on=started_on or timezone.localdate(),
        lives_in_unit=lives_in_unit, is_community_cadre=is_community_cadre,
    )
    post.full_clean()
    post.save()
    record_event(obj=post, actor=actor, action="appointed", from_state="", to_state=role, note=note)
    return post


@transaction.atomic
def post_end(*, actor, post: Post, ended_on: datetime.date | None = None, note: str = "") -> Post:
    require_change(actor, post)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.ended_on is not None:
        raise ValidationError(_("This post already ended on %(date)s.") % {"date": post.ended_on})
    ended_on = ended_on or timezone.localdate()
    if ended_on < post.started_on:
        raise ValidationError({"ended_on": _("A post cannot end before it started (%(date)s).") % {
            "date": post.started_on}})
    post.ended_on = ended_on
    post.save(update_fields=["ended_on"])
    record_event(obj=post, actor=actor, action="ended", from_state=post.role, to_state="ended", note=note)
    return post

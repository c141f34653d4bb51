"""Writes about cross-appointments (双向进入、交叉任职).

Two kinds are counted, both anchored at the community (or the grid, in a park
without communities) where they are counted:

* ``cadre_on_committee``: a community cadre sitting on an owners' committee. Most are
  written by ``services_committees.committee_member_add`` when a member is a
  community cadre (``member`` set, and ended with the membership); one may also be
  recorded here by hand, without a member record.
* ``company_member_on_party_committee``: a property company's party member serving
  part-time on the community party committee (the party organisation covering the
  community itself).

Rules: the actor must be able to change the community (403 otherwise); the community
is an area of kind community or grid; the person is a name only (stripped, not
empty); the start is not in the future; a person holds at most one current
appointment of a kind on the same committee / company and party committee. Ending
works on current appointments only (:class:`CrossAppointmentConflict`, HTTP 409); an
appointment that follows a committee member ends with the membership (or the
member's cadre flag) on the committee's pages, not here. Every write is audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Area, AreaKind
from governance import clock
from governance.audit import record_event
from governance.errors import Conflict
from governance.scoping import require_change
from partyorgs.models import PartyOrganisation

from .models import Committee, CrossAppointment, CrossAppointmentKind, PropertyCompany

COMMUNITY_KINDS = frozenset({AreaKind.COMMUNITY, AreaKind.GRID})


class CrossAppointmentConflict(Conflict):
    """The cross-appointment has ended already."""


def today() -> datetime.date:
    return timezone.localdate(clock.now())


def _clean_person_name(name) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"person_name": _("Enter the person's name.")})
    if len(name) > CrossAppointment._meta.get_field("person_name").max_length:
        raise ValidationError({"person_name": _("A name has at most 60 characters.")})
    return name


def _check_community(actor, community) -> None:
    if not isinstance(community, Area) or community.kind not in COMMUNITY_KINDS:
        raise ValidationError({"community": _("Choose a community (or a grid in a park).")})
    require_change(actor, community)


def _check_started_on(started_on) -> None:
    if started_on is None:
        raise ValidationError({"started_on": _("Enter the date the appointment started.")})
    if started_on > today():
        raise ValidationError({"started_on": _("The start cannot be in the future.")})


def _check_company_kind(actor, community, company, party_org, committee) -> dict:
    errors = {}
    if committee is not None:
        errors["committee"] = _("A company member on the party committee names no owners' committee.")
    if company is None:
        errors["company"] = _("Choose the property company the person works for.")
    elif not PropertyCompany.objects.visible_to(actor).filter(pk=company.pk).exists():
        errors["company"] = _("Choose a company you can see.")
    if party_org is None:
        errors["party_org"] = _("Choose the community's party committee.")
    elif not isinstance(party_org, PartyOrganisation) or party_org.covered_area_id != community.pk:
        errors["party_org"] = _("Choose the party organisation of %(community)s itself.") % {
            "community": community.name}
    return errors


def _check_cadre_kind(community, company, party_org, committee) -> dict:
    errors = {}
    if company is not None:
        errors["company"] = _("A community cadre on an owners' committee names no company.")
    if party_org is not None:
        errors["party_org"] = _("A community cadre on an owners' committee names no party committee.")
    if committee is None:
        errors["committee"] = _("Choose the owners' committee.")
    elif committee.community_id != community.pk:
        errors["committee"] = _("%(committee)s does not belong to %(community)s.") % {
            "committee": committee.name, "community": community.name}
    elif committee.dissolved_on is not None:
        errors["committee"] = _("%(committee)s was dissolved on %(date)s.") % {
            "committee": committee.name, "date": committee.dissolved_on.isoformat()}
    return errors


@transaction.atomic
def cross_appointment_record(
    *,
    actor,
    kind: str,
    person_name: str,
    community: Area,
    started_on: datetime.date,
    company: PropertyCompany | None = None,
    party_org: PartyOrganisation | None = None,
    committee: Committee | None = None,
) -> CrossAppointment:
    """Record a cross-appointment (see the module docstring for the rules)."""
    if kind not in CrossAppointmentKind.values:
        raise ValidationError({"kind": _("Choose the kind of cross-appointment.")})
    if community is None:
        raise ValidationError({"community": _("Choose a community (or a grid in a park).")})
    _check_community(actor, community)
    # Lock the community row: two identical records sent at once cannot both pass the
    # duplicate check below.
    community = Area.objects.select_for_update().get(pk=community.pk)
    errors = {}
    try:
        person_name = _clean_person_name(person_name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _check_started_on(started_on)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind == CrossAppointmentKind.COMPANY_MEMBER_ON_PARTY_COMMITTEE:
        errors.update(_check_company_kind(actor, community, company, party_org, committee))
    else:
        errors.update(_check_cadre_kind(community, company, party_org, committee))
    if errors:
        raise ValidationError(errors)
    same = CrossAppointment.objects.current().filter(kind=kind, community=community, person_name=person_name)
    if kind == CrossAppointmentKind.COMPANY_MEMBER_ON_PARTY_COMMITTEE:
        same = same.filter(company=company, party_org=party_org)
    else:
        same = same.filter(committee=committee)
    if same.exists():
        raise ValidationError({"person_name": _("%(name)s already holds this appointment.") % {"name": person_name}})
    appointment = CrossAppointment.objects.create(
        kind=kind, person_name=person_name, community=community, started_on=started_on,
        company=company, party_org=party_org, committee=committee,
    )
    record_event(
        obj=appointment, actor=actor, action="created", to_state=kind,
        note=(company.name if company is not None else committee.name),
    )
    return appointment


@transaction.atomic
def cross_appointment_end(
    *, actor, appointment: CrossAppointment, ended_on: datetime.date | None = None, note: str = ""
) -> CrossAppointment:
    """End a current cross-appointment on ``ended_on`` (default: today)."""
    require_change(actor, appointment)
    appointment = CrossAppointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.ended_on is not None:
        raise CrossAppointmentConflict(_("This cross-appointment ended on %(date)s already.") % {
            "date": appointment.ended_on.isoformat()})
    if appointment.member_id is not None:
        raise ValidationError(_(
            "This appointment follows a member of the owners' committee: it ends when the member "
            "leaves or is no longer marked as a community cadre (on the committee's page)."
        ))
    ended_on = ended_on or today()
    if ended_on < appointment.started_on:
        raise ValidationError({"ended_on": _("An appointment cannot end before it started (%(date)s).") % {
            "date": appointment.started_on.isoformat()}})
    if ended_on > today():
        raise ValidationError({"ended_on": _("The end cannot be in the future.")})
    appointment.ended_on = ended_on
    appointment.save(update_fields=["ended_on"])
    record_event(obj=appointment, actor=actor, action="ended", from_state=appointment.kind, to_state="ended",
                 note=(note or "").strip())
    return appointment

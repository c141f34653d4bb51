"""Writes about owners' committees (业委会) and self-management committees (自管委):
the committee and the compounds it serves, its terms and re-elections (换届), its
members, and its major-decision pre-reports (重大物业决策事项事前报告).

Rules kept here (the API and the pages call these functions only):

* A committee is anchored at a community (or a grid, in a park without communities)
  and serves at least one compound inside it. A compound belongs to at most one
  active committee: the compounds' rows are locked while this is checked, so two
  committees created at once cannot both take the same compound.
* Term 1 is written when the committee is created; :func:`committee_reelect` adds
  term N+1 and moves the current term on the committee (so it is no longer overdue).
* One sitting director per committee (also a database constraint). A member who is a
  community cadre is a cross-appointment (双向进入) in the same transaction: that is
  how the cadres on committees are counted; leaving ends both.
* A pre-report is ``filed``; the community (staff who may change the committee's
  community) acknowledges it or raises objections (with a note), the committee may
  withdraw it — each only from ``filed`` (:class:`DecisionReportConflict`, HTTP 409).
  A report is late when the local date it was filed is after the decision date; a
  report filed on the decision day itself is not late. Its time line is the audit trail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Area, AreaKind
from governance import clock
from governance.audit import record_event
from governance.errors import Conflict
from governance.scoping import require_change

from .models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    CommitteeTerm,
    CrossAppointment,
    CrossAppointmentKind,
    DecisionKind,
    DecisionReport,
    DecisionStatus,
    MemberRole,
)

COMMITTEE_AREA_KINDS = frozenset({AreaKind.COMMUNITY, AreaKind.GRID})


class CommitteeConflict(Conflict):
    """The committee (or member) is not in a state that allows this (dissolved, left...)."""


class DecisionReportConflict(Conflict):
    """The pre-report has been answered or withdrawn already."""


def today() -> datetime.date:
    return timezone.localdate(clock.now())


def term_label(number: int, ends_on: datetime.date) -> str:
    """How a term is written in the audit trail (the pages translate it)."""
    return f"term {number} (ends {ends_on.isoformat()})"


# --- committees -----------------------------------------------------------------------------


def _lock_committee(committee: Committee) -> Committee:
    return Committee.objects.select_for_update(of=("self",)).select_related("community").get(pk=committee.pk)


def _require_active(committee: Committee) -> None:
    if committee.dissolved_on is not None:
        raise CommitteeConflict(_("%(committee)s was dissolved on %(date)s; it can no longer change.") % {
            "committee": committee.name, "date": committee.dissolved_on.isoformat()})


def _validate_community(community) -> None:
    if community is None or not isinstance(community, Area) or community.kind not in COMMITTEE_AREA_KINDS:
        raise ValidationError({"community": _("Choose a community (or a grid) for the committee.")})


def _locked_compounds(community: Area, compounds, *, exclude_committee: int | None = None) -> list[Area]:
    """Check the compounds and lock their rows (in id order, so that two writers never
    wait for each other crosswise) before looking at the committees that hold them."""
    ids = sorted({c.pk for c in compounds or ()})
    if not ids:
        raise ValidationError({"compounds": _("Choose at least one compound the committee serves.")})
    areas = list(Area.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    errors = []
    for area in areas:
        if area.kind != AreaKind.COMPOUND:
            errors.append(_("%(area)s is not a residential compound.") % {"area": area.name})
        elif not area.path.startswith(community.path):
            errors.append(_("%(compound)s does not lie in %(community)s.") % {
                "compound": area.name, "community": community.name})
    if len(areas) != len(ids):
        errors.append(_("A chosen compound does not exist any more."))
    if errors:
        raise ValidationError({"compounds": errors})
    taken = (
        Committee.compounds.through.objects
        .filter(area_id__in=ids, committee__dissolved_on__isnull=True)
        .select_related("committee", "area").order_by("area__name", "committee_id")
    )
    if exclude_committee is not None:
        taken = taken.exclude(committee_id=exclude_committee)
    refused = [
        _("%(compound)s already belongs to the active committee %(committee)s.") % {
            "compound": row.area.name, "committee": row.committee.name}
        for row in taken
    ]
    if refused:
        raise ValidationError({"compounds": refused})
    return areas


def _validate_term(started_on, ends_on, *, started_field="term_started_on", ends_field="term_ends_on") -> None:
    errors = {}
    if started_on is None:
        errors[started_field] = _("Enter the date the term starts.")
    if ends_on is None:
        errors[ends_field] = _("Enter the date the term ends.")
    if not errors and ends_on <= started_on:
        errors[ends_field] = _("A term must end after it starts (%(date)s).") % {"date": started_on.isoformat()}
    if errors:
        raise ValidationError(errors)


def _clean_name(name, field="name") -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({field: _("Enter a name.")})
    return name


def _validate_kind(kind) -> None:
    if kind not in CommitteeKind.values:
        raise ValidationError({"kind": _("Choose an owners' committee or a self-management committee.")})


@transaction.atomic
def committee_create(
    *,
    actor,
    community: Area,
    name: str,
    kind: str,
    compounds,
    term_started_on: datetime.date,
    term_ends_on: datetime.date,
    elected_on: datetime.date | None = None,
) -> Committee:
    """A new committee serving ``compounds`` (inside ``community``), in its term 1."""
    _validate_community(community)
    require_change(actor, community, message=_("You may not add committees outside your scope."))
    name = _clean_name(name)
    _validate_kind(kind)
    _validate_term(term_started_on, term_ends_on)
    areas = _locked_compounds(community, compounds)
    committee = Committee(
        name=name, kind=kind, community=community, term_number=1,
        term_started_on=term_started_on, term_ends_on=term_ends_on,
    )
    committee.full_clean()
    committee.save()
    committee.compounds.set(areas)
    CommitteeTerm.objects.create(
        committee=committee, number=1, started_on=term_started_on, ends_on=term_ends_on, elected_on=elected_on,
    )
    record_event(obj=committee, actor=actor, action="created", to_state=term_label(1, term_ends_on))
    return committee


UPDATE_FIELDS = ("name", "kind", "compounds")


@transaction.atomic
def committee_update(*, actor, committee: Committee, **fields) -> Committee:
    """Change a committee's name, kind and/or compounds. Terms change by re-election."""
    unknown = set(fields) - set(UPDATE_FIELDS)
    if unknown:
        raise ValidationError(_("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    require_change(actor, committee)
    committee = _lock_committee(committee)
    _require_active(committee)
    changed = []
    if "name" in fields:
        name = _clean_name(fields["name"])
        if name != committee.name:
            committee.name = name
            changed.append("name")
    if "kind" in fields and fields["kind"] != committee.kind:
        _validate_kind(fields["kind"])
        committee.kind = fields["kind"]
        changed.append("kind")
    new_compounds = None
    before = after = ""
    if "compounds" in fields:
        current = list(committee.compounds.order_by("name", "pk"))
        if {c.pk for c in fields["compounds"] or ()} != {c.pk for c in current}:
            new_compounds = _locked_compounds(committee.community, fields["compounds"], exclude_committee=committee.pk)
            changed.append("compounds")
            before = "、".join(c.name for c in current)
            after = "、".join(c.name for c in sorted(new_compounds, key=lambda c: (c.name, c.pk)))
    if not changed:
        return committee
    committee.full_clean()
    committee.save()
    if new_compounds is not None:
        committee.compounds.set(new_compounds)
    record_event(obj=committee, actor=actor, action="updated", from_state=before, to_state=after,
                 note=", ".join(changed))
    return committee


@transaction.atomic
def committee_reelect(
    *,
    actor,
    committee: Committee,
    elected_on: datetime.date,
    term_started_on: datetime.date,
    term_ends_on: datetime.date,
    note: str = "",
) -> Committee:
    """Record a re-election (换届): term N+1 becomes the current term."""
    require_change(actor, committee)
    committee = _lock_committee(committee)
    _require_active(committee)
    _validate_term(term_started_on, term_ends_on)
    errors = {}
    if elected_on is None:
        errors["elected_on"] = _("Enter the date of the election.")
    elif elected_on > today():
        errors["elected_on"] = _("The election cannot lie in the future.")
    if term_started_on < committee.term_started_on:
        errors["term_started_on"] = _(
            "The new term cannot start before the current term %(number)s started (%(date)s)."
        ) % {"number": committee.term_number, "date": committee.term_started_on.isoformat()}
    if errors:
        raise ValidationError(errors)
    before = term_label(committee.term_number, committee.term_ends_on)
    committee.term_number += 1
    committee.term_started_on = term_started_on
    committee.term_ends_on = term_ends_on
    committee.full_clean()
    committee.save(update_fields=["term_number", "term_started_on", "term_ends_on", "updated_at"])
    CommitteeTerm.objects.create(
        committee=committee, number=committee.term_number, started_on=term_started_on,
        ends_on=term_ends_on, elected_on=elected_on,
    )
    record_event(
        obj=committee, actor=actor, action="reelected", from_state=before,
        to_state=term_label(committee.term_number, term_ends_on), note=note,
    )
    return committee


@transaction.atomic
def committee_dissolve(*, actor, committee: Committee, dissolved_on: datetime.date | None = None,
                       note: str = "") -> Committee:
    """Dissolve a committee: its sitting members leave (and their cross-appointments
    end) on that day; its compounds are free for another committee."""
    require_change(actor, committee)
    committee = _lock_committee(committee)
    _require_active(committee)
    dissolved_on = dissolved_on or today()
    if dissolved_on < committee.term_started_on:
        raise ValidationError({"dissolved_on": _(
            "A committee cannot be dissolved before its current term started (%(date)s)."
        ) % {"date": committee.term_started_on.isoformat()}})
    committee.dissolved_on = dissolved_on
    committee.save(update_fields=["dissolved_on", "updated_at"])
    for member in committee.members.current().select_for_update().order_by("pk"):
        _end_member(member, actor=actor, left_on=max(dissolved_on, member.joined_on), note=note)
    record_event(obj=committee, actor=actor, action="dissolved", to_state=dissolved_on.isoformat(), note=note)
    return committee


# --- members -------------------------------------------------------------------------------


def _validate_role(role) -> None:
    if role not in MemberRole.values:
        raise ValidationError({"role": _("Choose director, deputy director or member.")})


def _refuse_second_director(committee: Committee, *, exclude_member: int | None = None) -> None:
    sitting = committee.members.current().filter(role=MemberRole.DIRECTOR)
    if exclude_member is not None:
        sitting = sitting.exclude(pk=exclude_member)
    sitting = sitting.first()
    if sitting is not None:
        raise ValidationError({"role": _(
            "%(name)s is the sitting director of %(committee)s; they must leave (or change role) first."
        ) % {"name": sitting.name, "committee": committee.name}})


def _director_taken(committee: Committee) -> ValidationError:
    return ValidationError({"role": _("%(committee)s already has a sitting director.") % {
        "committee": committee.name}})


def _start_cross_appointment(member: CommitteeMember, committee: Committee, *, actor, started_on) -> CrossAppointment:
    appointment = CrossAppointment.objects.create(
        kind=CrossAppointmentKind.CADRE_ON_COMMITTEE, person_name=member.name,
        community=committee.community, committee=committee, member=member, started_on=started_on,
    )
    record_event(obj=appointment, actor=actor, action="created", to_state=appointment.kind, note=committee.name)
    return appointment


def _end_cross_appointment(member: CommitteeMember, *, actor, ended_on, unlink: bool = False) -> None:
    appointment = (
        CrossAppointment.objects.select_for_update().filter(member=member, ended_on__isnull=True).first()
    )
    if appointment is None:
        return
    appointment.ended_on = max(ended_on, appointment.started_on)
    if unlink:  # the member stays; a later cadre post is a new cross-appointment
        appointment.member = None
    appointment.save(update_fields=["ended_on", "member"])
    record_event(obj=appointment, actor=actor, action="ended", from_state=appointment.kind, to_state="ended")


def _end_member(member: CommitteeMember, *, actor, left_on, note="") -> None:
    member.left_on = left_on
    member.save(update_fields=["left_on"])
    _end_cross_appointment(member, actor=actor, ended_on=left_on)
    record_event(obj=member, actor=actor, action="left", from_state=member.role, to_state="left", note=note)


@transaction.atomic
def committee_member_add(
    *,
    actor,
    committee: Committee,
    name: str,
    role: str,
    is_party_member: bool = False,
    is_community_cadre: bool = False,
    joined_on: datetime.date | None = None,
) -> CommitteeMember:
    """Add a member (a name only). The committee row is locked, so that two directors
    added at once cannot both find the post vacant."""
    require_change(actor, committee)
    committee = _lock_committee(committee)
    _require_active(committee)
    name = _clean_name(name)
    _validate_role(role)
    joined_on = joined_on or today()
    if role == MemberRole.DIRECTOR:
        _refuse_second_director(committee)
    member = CommitteeMember(
        committee=committee, name=name, role=role, is_party_member=bool(is_party_member),
        is_community_cadre=bool(is_community_cadre), joined_on=joined_on,
    )
    member.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise _director_taken(committee) from exc
    if member.is_community_cadre:
        _start_cross_appointment(member, committee, actor=actor, started_on=joined_on)
    record_event(obj=member, actor=actor, action="joined", to_state=role)
    return member


MEMBER_FIELDS = ("name", "role", "is_party_member", "is_community_cadre")


@transaction.atomic
def committee_member_update(*, actor, member: CommitteeMember, **fields) -> CommitteeMember:
    """Correct a sitting member's name, role or flags. Becoming a community cadre starts
    a cross-appointment today; ceasing to be one ends it."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValidationError(_("These cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    require_change(actor, member)
    committee = _lock_committee(member.committee)
    member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise CommitteeConflict(_("%(name)s left the committee on %(date)s.") % {
            "name": member.name, "date": member.left_on.isoformat()})
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    if "role" in fields:
        _validate_role(fields["role"])
    changed = [f for f in MEMBER_FIELDS if f in fields and getattr(member, f) != fields[f]]
    if not changed:
        return member
    was_cadre, old_role = member.is_community_cadre, member.role
    for field in changed:
        setattr(member, field, fields[field])
    if "role" in changed and member.role == MemberRole.DIRECTOR:
        _refuse_second_director(committee, exclude_member=member.pk)
    try:
        with transaction.atomic():
            member.save(update_fields=changed)
    except IntegrityError as exc:
        raise _director_taken(committee) from exc
    day = max(today(), member.joined_on)
    if member.is_community_cadre and not was_cadre:
        _start_cross_appointment(member, committee, actor=actor, started_on=day)
    elif was_cadre and not member.is_community_cadre:
        _end_cross_appointment(member, actor=actor, ended_on=day, unlink=True)
    elif "name" in changed and member.is_community_cadre:
        CrossAppointment.objects.filter(member=member).update(person_name=member.name)
    record_event(
        obj=member, actor=actor, action="updated", from_state=old_role if "role" in changed else "",
        to_state=member.role if "role" in changed else "", note=", ".join(changed),
    )
    return member


@transaction.atomic
def committee_member_leave(*, actor, member: CommitteeMember, left_on: datetime.date | None = None,
                           note: str = "") -> CommitteeMember:
    """The member leaves the committee; a cadre's cross-appointment ends with it."""
    require_change(actor, member)
    member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise CommitteeConflict(_("%(name)s left the committee on %(date)s.") % {
            "name": member.name, "date": member.left_on.isoformat()})
    left_on = left_on or today()
    if left_on < member.joined_on:
        raise ValidationError({"left_on": _("A member cannot leave before joining (%(date)s).") % {
            "date": member.joined_on.isoformat()}})
    _end_member(member, actor=actor, left_on=left_on, note=note)
    return member


# --- major-decision pre-reports --------------------------------------------------------------


def is_late(filed_at: datetime.datetime, decision_on: datetime.date) -> bool:
    """Late when the local date of filing is after the decision date. Filing on the
    decision day itself (before the meeting) still counts as in advance."""
    return timezone.localdate(filed_at) > decision_on


@transaction.atomic
def decision_report_file(
    *,
    actor,
    committee: Committee,
    kind: str,
    title: str,
    decision_on: datetime.date,
    description: str = "",
    amount_yuan: Decimal | None = None,
) -> DecisionReport:
    """The committee reports a major decision (recorded by staff who may change it)."""
    require_change(actor, committee, message=_("You may not file reports for committees outside your scope."))
    committee = _lock_committee(committee)
    _require_active(committee)
    errors = {}
    if kind not in DecisionKind.values:
        errors["kind"] = _("Choose the kind of decision.")
    if not (title or "").strip():
        errors["title"] = _("Enter a title.")
    if decision_on is None:
        errors["decision_on"] = _("Enter the date the decision is to be taken.")
    if amount_yuan is not None and amount_yuan < 0:
        errors["amount_yuan"] = _("An amount cannot be negative.")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    report = DecisionReport(
        committee=committee, kind=kind, title=title.strip(), description=(description or "").strip(),
        amount_yuan=amount_yuan, decision_on=decision_on, filed_at=now,
        is_late=is_late(now, decision_on), status=DecisionStatus.FILED,
        filed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    report.full_clean()
    report.save()
    record_event(obj=report, actor=actor, action="filed", to_state=report.status,
                 note="late" if report.is_late else "")
    return report


def _lock_report(report: DecisionReport, *, actor) -> DecisionReport:
    report = DecisionReport.objects.select_related("committee__community").get(pk=report.pk)
    require_change(actor, report.committee.community, message=_(
        "Only staff of %(area)s answer this committee's reports."
    ) % {"area": report.committee.community.name})
    return DecisionReport.objects.select_for_update(of=("self",)).select_related("committee__community").get(
        pk=report.pk)


def _answer(report, *, actor, status: str, action: str, verb: str, note: str) -> DecisionReport:
    report = _lock_report(report, actor=actor)
    if report.status != DecisionStatus.FILED:
        raise DecisionReportConflict(_("This report is %(status)s; it cannot be %(action)s now.") % {
            "status": report.get_status_display(), "action": verb})
    before = report.status
    report.status = status
    if status != DecisionStatus.WITHDRAWN:
        report.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
        report.reviewed_at = clock.now()
        report.review_note = note
    report.save()
    record_event(obj=report, actor=actor, action=action, from_state=before, to_state=status, note=note)
    return report


@transaction.atomic
def decision_report_acknowledge(*, actor, report: DecisionReport, note: str = "") -> DecisionReport:
    """The community has taken note of the report (no objection)."""
    return _answer(report, actor=actor, status=DecisionStatus.ACKNOWLEDGED, action="acknowledged",
                   verb=_("acknowledged"), note=(note or "").strip())


@transaction.atomic
def decision_report_object(*, actor, report: DecisionReport, note: str) -> DecisionReport:
    """The community raises objections; the note says which (required)."""
    note = (note or "").strip()
    report = _lock_report(report, actor=actor)
    if report.status == DecisionStatus.FILED and not note:
        raise ValidationError({"note": _("Say what the objections are.")})
    return _answer(report, actor=actor, status=DecisionStatus.OBJECTED, action="objected",
                   verb=_("objected to"), note=note)


@transaction.atomic
def decision_report_withdraw(*, actor, report: DecisionReport, note: str = "") -> DecisionReport:
    """The committee withdraws its report before the community answered."""
    return _answer(report, actor=actor, status=DecisionStatus.WITHDRAWN, action="withdrawn",
                   verb=_("withdrawn"), note=(note or "").strip())

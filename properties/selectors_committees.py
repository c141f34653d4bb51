"""Reads about committees: the lists' querysets (member counts and the re-election
state annotated, so a page of committees costs the same few queries whatever its
size), the share of party members per committee and per node, and which committees
are due for re-election (换届) or overdue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, Prefetch, Q, Value, When

from communities.models import Area, AreaKind
from governance.tree import ids_in_path

from .models import Committee, CommitteeMember, MemberRole

#: Days before the end of a term when the re-election is "due" (and reminded).
DUE_SOON_DAYS = 90
DUE_NOW_DAYS = 30


class ReelectionState:
    """Values of the ``reelection_state`` annotation."""

    OK = "ok"
    DUE_90 = "due_90"  # the term ends in 31–90 days
    DUE_30 = "due_30"  # the term ends in 0–30 days
    OVERDUE = "overdue"  # the term ended and no new term was recorded
    DISSOLVED = "dissolved"


def reelection_state(committee: Committee, today: datetime.date) -> str:
    if committee.dissolved_on is not None:
        return ReelectionState.DISSOLVED
    days = (committee.term_ends_on - today).days
    if days < 0:
        return ReelectionState.OVERDUE
    if days <= DUE_NOW_DAYS:
        return ReelectionState.DUE_30
    if days <= DUE_SOON_DAYS:
        return ReelectionState.DUE_90
    return ReelectionState.OK


def with_reelection_state(qs, today: datetime.date):
    """Annotate ``reelection_state`` (see :class:`ReelectionState`) in SQL."""
    return qs.annotate(reelection_state=Case(
        When(dissolved_on__isnull=False, then=Value(ReelectionState.DISSOLVED)),
        When(term_ends_on__lt=today, then=Value(ReelectionState.OVERDUE)),
        When(term_ends_on__lte=today + datetime.timedelta(days=DUE_NOW_DAYS), then=Value(ReelectionState.DUE_30)),
        When(term_ends_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS), then=Value(ReelectionState.DUE_90)),
        default=Value(ReelectionState.OK), output_field=CharField(),
    ))


_CURRENT = Q(members__left_on__isnull=True)


def with_member_counts(qs):
    """Annotate ``members_count``, ``party_members_count`` and ``cadres_count`` (current
    members only) in the same query."""
    return qs.annotate(
        members_count=Count("members", filter=_CURRENT),
        party_members_count=Count("members", filter=_CURRENT & Q(members__is_party_member=True)),
        cadres_count=Count("members", filter=_CURRENT & Q(members__is_community_cadre=True)),
    )


def committee_list(user, today: datetime.date):
    """The committees ``user`` sees, ready for a list: community, compounds (one
    prefetch query), member counts and the re-election state."""
    qs = Committee.objects.visible_to(user).select_related("community").prefetch_related(
        Prefetch("compounds", queryset=Area.objects.only("pk", "name", "kind", "path", "depth").order_by("name", "pk"))
    )
    # Meta.ordering does not apply to a grouped query: order explicitly (stable pages).
    return with_reelection_state(with_member_counts(qs), today).order_by("community_id", "name", "pk")


def current_members(committee: Committee):
    """Sitting members, director first (and whether each is a cross-appointment)."""
    order = Case(
        When(role=MemberRole.DIRECTOR, then=Value(0)), When(role=MemberRole.DEPUTY, then=Value(1)), default=Value(2),
    )
    return (
        CommitteeMember.objects.filter(committee=committee, left_on__isnull=True)
        .select_related("cross_appointment").annotate(role_order=order).order_by("role_order", "joined_on", "pk")
    )


def share_percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal, halves rounded up (631 of 992 →
    63.6); None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ShareRow:
    """Committees, current members and party members under one node (or of one committee)."""

    area: Area | None = None
    committee: Committee | None = None
    committees: int = 0
    members: int = 0
    party_members: int = 0
    cadres: int = 0

    @property
    def share(self) -> Decimal | None:
        return share_percent(self.party_members, self.members)

    def add(self, other: ShareRow) -> None:
        self.committees += other.committees
        self.members += other.members
        self.party_members += other.party_members
        self.cadres += other.cadres


@dataclass
class PartyShare:
    area: Area
    totals: ShareRow
    #: committees anchored at ``area`` itself (e.g. a community's own committees)
    own: ShareRow
    children: list[ShareRow] = field(default_factory=list)
    committees: list[ShareRow] = field(default_factory=list)


def party_share(user, area: Area) -> PartyShare:
    """The share of party members among the current members of the active committees
    under ``area`` that ``user`` sees: per committee, per child node (committees
    anchored at ``area`` itself are counted apart, in ``own``) and in total.

    Two queries whatever the number of committees and children."""
    rows = (
        with_member_counts(
            Committee.objects.visible_to(user).active().filter(community__path__startswith=area.path)
        )
        .select_related("community").order_by("community__path", "name", "pk")
    )
    children = list(
        Area.objects.filter(parent=area).exclude(kind__in=[AreaKind.COMPOUND, AreaKind.BUILDING])
        .visible_to(user).order_by("name", "pk")
    )
    by_child = {child.pk: ShareRow(area=child) for child in children}
    result = PartyShare(area=area, totals=ShareRow(area=area), own=ShareRow(area=area), children=list(by_child.values()))
    for committee in rows:
        row = ShareRow(
            committee=committee, area=committee.community, committees=1, members=committee.members_count,
            party_members=committee.party_members_count, cadres=committee.cadres_count,
        )
        result.committees.append(row)
        result.totals.add(row)
        ids = ids_in_path(committee.community.path)
        child = by_child.get(ids[area.depth]) if len(ids) > area.depth else None
        (child or result.own).add(row)
    return result


@dataclass
class ReelectionStatus:
    """Active committees by re-election state on ``today`` (querysets, unevaluated).
    ``due_90`` holds every term ending within 90 days, ``due_30`` those of them within
    30 days; a term ending today is due, not overdue."""

    today: datetime.date
    due_90: object
    due_30: object
    overdue: object


def reelection_status(today: datetime.date, queryset=None) -> ReelectionStatus:
    base = (queryset if queryset is not None else Committee.objects.all()).active()
    upcoming = base.filter(term_ends_on__gte=today)
    return ReelectionStatus(
        today=today,
        due_90=upcoming.filter(term_ends_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)),
        due_30=upcoming.filter(term_ends_on__lte=today + datetime.timedelta(days=DUE_NOW_DAYS)),
        overdue=base.overdue(today),
    )


def reelection_counts(today: datetime.date, queryset=None) -> dict[str, int]:
    """``{"due_90": n, "due_30": n, "overdue": n}`` in one query (e.g. for a dashboard:
    pass ``Committee.objects.visible_to(user)``)."""
    base = (queryset if queryset is not None else Committee.objects.all()).active()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    now = today + datetime.timedelta(days=DUE_NOW_DAYS)
    return base.aggregate(
        due_90=Count("pk", filter=Q(term_ends_on__gte=today, term_ends_on__lte=soon)),
        due_30=Count("pk", filter=Q(term_ends_on__gte=today, term_ends_on__lte=now)),
        overdue=Count("pk", filter=Q(term_ends_on__lt=today)),
    )

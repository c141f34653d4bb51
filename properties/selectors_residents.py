"""Reads about residents: which period and company a household rates, who may see
rating codes, dispute counts per node and half year, and the public results pages'
lists of closed periods."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Value
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Area, AreaKind
from governance import clock
from governance.scoping import scope_for
from governance.tree import ids_in_path

from .models import (
    COMPANY_MODES,
    Dispute,
    DisputeOutcome,
    Household,
    PeriodStatus,
    PropertyCompany,
    RatingPeriod,
    ServiceMode,
)

# --- rating codes --------------------------------------------------------------------


def code_visibility(user) -> Callable[[Area], bool]:
    """``check(compound)``: whether ``user`` may see the rating codes of the
    compound's households (those who may change the compound). No query per row."""
    scope = scope_for(user)
    if scope.sees_all:
        return lambda compound: True
    paths = scope.write_paths
    return lambda compound: any(compound.path.startswith(p) for p in paths)


def households_for_slips(compound: Area):
    return Household.objects.filter(compound=compound, is_active=True).order_by("building", "unit", "room", "pk")


def household_label(household: Household) -> str:
    """``1-2-301`` (building-unit-room; no unit: ``1-301``)."""
    return "-".join(p for p in (household.building, household.unit, household.room) if p)


# --- which period, which company -------------------------------------------------------


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment, timezone.get_default_timezone())


def period_for_compound(compound: Area) -> RatingPeriod | None:
    """The period a household of ``compound`` rates in now: its district's open
    period; else the next scheduled one; else the last closed one (for the message)."""
    district_id = ids_in_path(compound.path)[0]
    periods = list(
        RatingPeriod.objects.filter(district_id=district_id).select_related("district")
        .order_by("-year", "-half")[:6]
    )
    for status in (PeriodStatus.OPEN, PeriodStatus.SCHEDULED, PeriodStatus.CLOSED):
        matching = [p for p in periods if p.status == status]
        if matching:
            # The next scheduled period is the earliest one; otherwise the newest.
            return matching[-1] if status == PeriodStatus.SCHEDULED else matching[0]
    return None


def period_problem(period: RatingPeriod | None) -> str:
    """Why a household cannot rate in ``period`` now ("" when it can): the very
    check and message of ``services_ratings.period_lock_for_rating``."""
    if period is None:
        return _("No rating period has been set up for your district yet.")
    from .services_ratings import RatingPeriodClosed, period_lock_for_rating

    try:
        with transaction.atomic():
            period_lock_for_rating(period)
    except RatingPeriodClosed as exc:
        return " ".join(exc.messages)
    return ""


@dataclass
class RatingContext:
    """What the resident's form shows after the code: where, whom, when, or why not."""

    household: Household
    period: RatingPeriod | None
    company: PropertyCompany | None
    problem: str = ""


def rating_context(household: Household) -> RatingContext:
    from django.core.exceptions import ValidationError

    from .services_residents import rated_company

    period = period_for_compound(household.compound)
    problem = period_problem(period)
    company = None
    if not problem:
        try:
            company = rated_company(period, household)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    return RatingContext(household=household, period=period, company=company, problem=problem)


# --- half years ------------------------------------------------------------------------

_HALF = re.compile(r"^\s*(\d{4})\s*[Hh]\s*([12])\s*$")


def parse_half(value: str) -> tuple[int, int]:
    """``"2026H1"`` → ``(2026, 1)``; ValueError otherwise."""
    match = _HALF.match(value or "")
    if not match:
        raise ValueError(_("Write a half year like 2026H1 or 2026H2."))
    return int(match.group(1)), int(match.group(2))


def current_half(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or local_date(clock.now())
    return today.year, 1 if today.month <= 6 else 2


# --- dispute counts ----------------------------------------------------------------------


@dataclass
class OutcomeCounts:
    area: Area | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def by_outcome(self) -> list[int]:
        """Counts in the order of :class:`DisputeOutcome` (for table columns)."""
        return [self.counts.get(o, 0) for o in DisputeOutcome.values]

    def as_dict(self) -> dict[str, int]:
        return {o: self.counts.get(o, 0) for o in DisputeOutcome.values}


@dataclass
class DisputeCounts:
    area: Area
    start: datetime.date
    end: datetime.date
    totals: OutcomeCounts
    children: list[OutcomeCounts]


def _child_key(area: Area):
    """The id of the child of ``area`` on the way to the dispute's compound."""
    start = len(area.path) + 1
    rest = Substr("compound__path", start)
    return Substr("compound__path", start, StrIndex(rest, Value("/")) - 1)


def dispute_counts(user, area: Area, start: datetime.date, end: datetime.date) -> DisputeCounts:
    """Disputes mediated from ``start`` to ``end`` (included) under ``area``, by
    outcome, in total and per child node; only the disputes ``user`` sees count.
    Three queries whatever the number of children."""
    disputes = Dispute.objects.visible_to(user).filter(
        compound__path__startswith=area.path, mediated_on__gte=start, mediated_on__lte=end,
    ).order_by()
    totals = OutcomeCounts(area, {
        row["outcome"]: row["n"] for row in disputes.values("outcome").annotate(n=Count("id"))
    })
    children: list[OutcomeCounts] = []
    if area.kind != AreaKind.COMPOUND:
        nodes = list(Area.objects.filter(parent=area).visible_to(user).order_by("name", "pk"))
        by_id = {node.pk: OutcomeCounts(node) for node in nodes}
        if nodes:
            rows = (
                disputes.exclude(compound_id=area.pk).annotate(child_key=_child_key(area))
                .values("child_key", "outcome").annotate(n=Count("id"))
            )
            for row in rows:
                entry = by_id.get(int(row["child_key"]))
                if entry is not None:
                    entry.counts[row["outcome"]] = row["n"]
        children = list(by_id.values())
    return DisputeCounts(area=area, start=start, end=end, totals=totals, children=children)


# --- public results ------------------------------------------------------------------------


def closed_periods():
    """Every district's closed (published) periods, newest first."""
    return (
        RatingPeriod.objects.filter(status=PeriodStatus.CLOSED).select_related("district")
        .order_by("-year", "-half", "district__name", "pk")
    )


def public_period(period_id) -> RatingPeriod | None:
    """A published period, or None (open and scheduled periods are not public)."""
    try:
        period_id = int(period_id)
    except (TypeError, ValueError):
        return None
    return closed_periods().filter(pk=period_id).first()


def compounds_served(company: PropertyCompany) -> list[str]:
    """Names of the compounds the company serves now (a current company mode)."""
    return list(
        ServiceMode.objects.current().filter(company=company, kind__in=[str(k) for k in COMPANY_MODES])
        .order_by("compound__name").values_list("compound__name", flat=True).distinct()
    )

"""Reads about micro-wishes: the figures of the metrics page and ``/api/v1/wishes/stats/``.

:func:`wish_stats` measures the wishes **submitted** on the local dates ``[date_from,
date_to]`` (both included, Asia/Shanghai days) at compounds in ``area``'s subtree (the
area included), limited to what ``user`` may see when a user is given. "Now" is
:func:`governance.clock.now` (or ``now=``), read once.

Definitions (every rate is ``None`` when its denominator is 0, else rounded to 4
places; medians are in hours, rounded to 2 places, ``None`` without data):

``count``
    Wishes submitted in the period.
``accepted``
    Wishes taken on by staff: ``accepted_at`` is set (accepted by the community, or
    escalated straight from "submitted", which also counts as taking it on).
``response_rate`` (响应率)
    ``accepted_on_time / response_base``, where ``accepted_on_time`` = accepted and
    not ``accepted_late`` (within the accept limit of the category and level), and
    ``response_base`` = accepted, **or** still waiting ("submitted") with the accept
    deadline passed. Wishes rejected or withdrawn before anyone accepted them, and
    wishes still inside their accept limit, are in neither.
``resolution_rate`` (办结率)
    ``resolved / resolution_base``: ``resolved`` = status "resolved" or "closed"
    (a closed wish was always resolved first); ``resolution_base`` = ``count`` minus
    rejected and withdrawn wishes.
``satisfaction_rate`` (满意率)
    ``satisfied / rated``: ratings 4 ("satisfied") and 5 ("very satisfied") among
    wishes with a rating. A reopened wish loses its rating until it is rated again.
``overdue``
    Wishes that were ever overdue (``was_overdue``: accepted late, or acted on or swept
    after a stage's due time) **or** are open now past the due time of their current
    stage; each wish counted once.
``median_accept_hours``
    Median of ``accepted_at - created_at`` over accepted wishes.
``median_resolve_hours``
    Median of ``resolved_at - created_at`` over wishes with a (current) resolution,
    i.e. status "resolved" or "closed" after a resolution (a reopened wish counts from
    its last resolution). Both medians are continuous (the mean of the two middle
    values for an even number): ``percentile_cont(0.5)`` on PostgreSQL, the same in
    Python elsewhere.

``children`` holds the same figures for each child node of ``area`` the user can see
(for a compound: none), in one grouped query whatever the number of children,
ranked by satisfaction rate, then resolution rate (both highest first, a missing
rate after any value); equal pairs share a rank (1, 1, 3), and then the name orders.

:func:`effective_limits` (with :func:`default_limits`) tells, per level, the time limits
in force for a category and where they come from: the settings pages and
``/api/v1/wish-categories/`` show the same.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.db import connections
from django.db.models import Aggregate, Count, DurationField, F, Q, Value
from django.db.models.functions import StrIndex, Substr

from communities.models import Area, AreaKind
from governance import clock
from governance.scoping import scope_for

from .filters import local_day_start
from .models import LEVEL_ORDER, OPEN_STATUSES, Category, Level, Status, TimeLimit, Wish
from .services import FALLBACK_HOURS


class Median(Aggregate):
    """``percentile_cont(0.5) WITHIN GROUP (ORDER BY expr)`` (PostgreSQL only)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


@dataclass(frozen=True)
class WishStats:
    count: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    response_base: int = 0
    resolved: int = 0
    resolution_base: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue: int = 0
    median_accept_hours: float | None = None
    median_resolve_hours: float | None = None

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.accepted_on_time, self.response_base)

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved, self.resolution_base)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
        }


@dataclass(frozen=True)
class ChildStats:
    area: Area
    rank: int
    stats: WishStats


@dataclass(frozen=True)
class AreaWishStats:
    area: Area
    date_from: datetime.date
    date_to: datetime.date
    as_of: datetime.datetime
    totals: WishStats
    children: list[ChildStats] = field(default_factory=list)


COUNT_FIELDS = (
    "count", "accepted", "accepted_on_time", "response_base", "resolved", "resolution_base",
    "rated", "satisfied", "overdue",
)


def _counts(now) -> dict:
    accepted = Q(accepted_at__isnull=False)
    return {
        "count": Count("pk"),
        "accepted": Count("pk", filter=accepted),
        "accepted_on_time": Count("pk", filter=accepted & Q(accepted_late=False)),
        "response_base": Count(
            "pk", filter=accepted | Q(status=Status.SUBMITTED, due_at__lt=now)
        ),
        "resolved": Count("pk", filter=Q(status__in=[Status.RESOLVED, Status.CLOSED])),
        "resolution_base": Count(
            "pk", filter=~Q(status__in=[Status.REJECTED, Status.WITHDRAWN])
        ),
        "rated": Count("pk", filter=Q(rating__isnull=False)),
        "satisfied": Count("pk", filter=Q(rating__gte=4)),
        "overdue": Count(
            "pk", filter=Q(was_overdue=True) | Q(status__in=OPEN_STATUSES, due_at__lt=now)
        ),
    }


def _medians_in_sql() -> dict:
    return {
        "median_accept": Median(F("accepted_at") - F("created_at"), output_field=DurationField()),
        "median_resolve": Median(F("resolved_at") - F("created_at"), output_field=DurationField()),
    }


def _hours(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def _median_hours(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _stats(row: dict, median_accept=None, median_resolve=None) -> WishStats:
    return WishStats(
        **{name: row.get(name) or 0 for name in COUNT_FIELDS},
        median_accept_hours=median_accept,
        median_resolve_hours=median_resolve,
    )


def _child_key(area: Area):
    """The id of the child of ``area`` on the way to the wish's compound, read off
    the compound's path: ``/1/5/23/77/`` under ``/1/5/`` → ``"23"``."""
    start = len(area.path) + 1
    rest = Substr("compound__path", start)
    return Substr("compound__path", start, StrIndex(rest, Value("/")) - 1)


def wish_stats(
    area: Area, date_from: datetime.date, date_to: datetime.date, *, user=None, now=None,
    sql_medians: bool | None = None,
) -> AreaWishStats:
    """The figures for ``area`` and each of its children; see the module docstring.
    ``sql_medians`` forces (True) or avoids (False) ``percentile_cont``; by default
    PostgreSQL computes the medians and other databases leave them to Python."""
    now = now or clock.now()
    wishes = Wish.objects.all() if user is None else Wish.objects.visible_to(user)
    wishes = wishes.filter(
        compound__path__startswith=area.path,
        created_at__gte=local_day_start(date_from),
        created_at__lt=local_day_start(date_to + datetime.timedelta(days=1)),
    ).order_by()
    in_sql = connections[wishes.db].vendor == "postgresql" if sql_medians is None else sql_medians

    if area.kind == AreaKind.COMPOUND:
        children = []
    else:
        children_qs = Area.objects.filter(parent=area)
        if user is not None:
            children_qs = children_qs.visible_to(user)
        children = list(children_qs.order_by("name", "pk"))

    counts = _counts(now)
    grouped_wishes = wishes.exclude(compound_id=area.pk).annotate(child_key=_child_key(area))
    if in_sql:
        medians = _medians_in_sql()
        total_row = wishes.aggregate(**counts, **medians)
        total_medians = (_hours(total_row["median_accept"]), _hours(total_row["median_resolve"]))
        child_rows = {}
        child_medians = {}
        if children:
            for row in grouped_wishes.values("child_key").annotate(**counts, **medians):
                key = int(row["child_key"])
                child_rows[key] = row
                child_medians[key] = (_hours(row["median_accept"]), _hours(row["median_resolve"]))
    else:
        total_row = wishes.aggregate(**counts)
        child_rows = {}
        if children:
            child_rows = {
                int(row["child_key"]): row
                for row in grouped_wishes.values("child_key").annotate(**counts)
            }
        # Medians in Python: one query for the timestamps of the wishes that have any.
        accept_hours, resolve_hours = [], []
        accept_by_child, resolve_by_child = defaultdict(list), defaultdict(list)
        timestamps = (
            # Without children (a compound) the wishes sit at the area itself: no key.
            wishes.annotate(child_key=_child_key(area) if children else Value(""))
            .filter(Q(accepted_at__isnull=False) | Q(resolved_at__isnull=False))
            .values_list("child_key", "created_at", "accepted_at", "resolved_at")
        )
        for child_key, created_at, accepted_at, resolved_at in timestamps:
            key = int(child_key) if child_key else None
            if accepted_at is not None:
                hours = (accepted_at - created_at).total_seconds() / 3600
                accept_hours.append(hours)
                accept_by_child[key].append(hours)
            if resolved_at is not None:
                hours = (resolved_at - created_at).total_seconds() / 3600
                resolve_hours.append(hours)
                resolve_by_child[key].append(hours)
        total_medians = (_median_hours(accept_hours), _median_hours(resolve_hours))
        child_medians = {
            child.pk: (_median_hours(accept_by_child[child.pk]), _median_hours(resolve_by_child[child.pk]))
            for child in children
        }

    totals = _stats(total_row, *total_medians)
    per_child = [
        (child, _stats(child_rows.get(child.pk, {}), *child_medians.get(child.pk, (None, None))))
        for child in children
    ]
    return AreaWishStats(
        area=area, date_from=date_from, date_to=date_to, as_of=now, totals=totals,
        children=_ranked(per_child),
    )


class HandlerCheck:
    """Whether ``user`` handles a wish (and so sees the requester's full number),
    decided from the user's scope, read once per request, and the wish's own
    columns: no query per wish. The same rule as :func:`wishes.services.is_handler`:
    the claimer, or staff who may change the area now handling the wish (the
    community at community level, the street above). Load the wishes with
    ``select_related("community", "street")``."""

    def __init__(self, user):
        self.user_id = getattr(user, "pk", None)
        scope = scope_for(user)
        self.sees_all = scope.sees_all
        self.write_paths = scope.write_paths

    def __call__(self, wish: Wish) -> bool:
        if self.user_id is None:
            return False
        if wish.claimer_user_id is not None and wish.claimer_user_id == self.user_id:
            return True
        if self.sees_all:
            return True
        path = wish.handling_area.path
        return any(path.startswith(prefix) for prefix in self.write_paths)


def _rank_key(stats: WishStats) -> tuple:
    def desc(rate):
        return (1, 0.0) if rate is None else (0, -rate)

    return (*desc(stats.satisfaction_rate), *desc(stats.resolution_rate))


def _ranked(per_child: list[tuple[Area, WishStats]]) -> list[ChildStats]:
    ordered = sorted(per_child, key=lambda pair: (_rank_key(pair[1]), pair[0].name, pair[0].pk))
    ranked, previous_key, rank = [], None, 0
    for position, (child, stats) in enumerate(ordered, start=1):
        key = _rank_key(stats)
        if key != previous_key:
            rank, previous_key = position, key
        ranked.append(ChildStats(area=child, rank=rank, stats=stats))
    return ranked


# --- categories and time limits ----------------------------------------------------------


def default_limits() -> dict[str, TimeLimit]:
    """The default TimeLimit row of each level that has one (one query)."""
    return {row.level: row for row in TimeLimit.objects.filter(category__isnull=True)}


def effective_limits(category: Category | None, defaults: dict) -> list[dict]:
    """For each level: the limits in force and where they come from.
    ``defaults`` maps a level to its default TimeLimit row (or is missing it); the
    category's own rows come from ``category.time_limits.all()`` (prefetch them)."""
    own = {row.level: row for row in category.time_limits.all()} if category else {}
    entries = []
    for level in LEVEL_ORDER:
        default = defaults.get(level)
        default_accept = default.accept_hours if default else FALLBACK_HOURS["accept"]
        default_resolve = default.resolve_hours if default else FALLBACK_HOURS["resolve"]
        row = own.get(level)
        if row is not None:
            source, accept, resolve = "category", row.accept_hours, row.resolve_hours
        else:
            source = "default" if default else "fallback"
            accept, resolve = default_accept, default_resolve
        entries.append({
            "level": str(level), "level_display": str(Level(level).label),
            "accept_hours": accept, "resolve_hours": resolve, "source": source,
            "default_accept_hours": default_accept, "default_resolve_hours": default_resolve,
        })
    return entries


__all__ = [
    "AreaWishStats", "ChildStats", "HandlerCheck", "Median", "WishStats", "default_limits",
    "effective_limits", "wish_stats",
]

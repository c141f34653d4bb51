"""Replaying the demo wishes' histories through the services and the sweep, on a
clock set to each moment (see the package docstring)."""

from __future__ import annotations

import datetime
import logging
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from communities.demo import LOGINS
from communities.models import Area, AreaKind
from governance import clock

from .. import notify, services, tasks
from ..models import Channel, Level, Status, TimeLimit, Wish
from .plans import COUNT, KEY_PREFIX, Plan, Step, build_plans

HOUR = datetime.timedelta(hours=1)


class DemoClock:
    def __init__(self, start: datetime.datetime):
        self.current = start

    def __call__(self) -> datetime.datetime:
        return self.current


@contextmanager
def demo_clock(start: datetime.datetime):
    """Set ``governance.clock.now`` to a clock the caller moves (``.current = t``), and
    ``django.utils.timezone.now`` too, which the ``auto_now``/``auto_now_add`` columns
    read (``AuditEvent.at``, ``Notification.created_at``, ``Wish.updated_at``). The
    previous ones (the real clock, or a test's) are put back afterwards."""
    saved = clock.now, timezone.now
    fake = DemoClock(start)
    clock.now = timezone.now = fake
    try:
        yield fake
    finally:
        clock.now, timezone.now = saved


@contextmanager
def _history_only():
    """Keep the notification rows, queue no texts and no e-mail runs (see the docstring)."""
    saved = notify.resident, notify._enqueue_email_delivery
    notify.resident = lambda wish, kind: None
    notify._enqueue_email_delivery = lambda: None
    try:
        yield
    finally:
        notify.resident, notify._enqueue_email_delivery = saved


@dataclass
class WishLoadResult:
    created: int
    existing: int
    skipped: list[str]  # histories cut short by a refusal (e.g. changed time limits)
    by_status: dict[str, int]
    seconds: float


class Actors:
    """The demo login that handles a level: the community's staff, else the street's,
    else the district's administrator."""

    def __init__(self):
        users = {u.username: u for u in get_user_model().objects.filter(username__in=[s.username for s in LOGINS])}
        self.by_area = {(s.role, s.area): users[s.username] for s in LOGINS if s.role and s.username in users}

    def for_level(self, level: str, community: Area, street: Area):
        district = street.code[:6]
        candidates = [("street_staff", street.code), ("district_admin", district)]
        if level == Level.COMMUNITY:
            candidates.insert(0, ("community_staff", community.code))
        for key in candidates:
            if key in self.by_area:
                return self.by_area[key]
        raise LookupError(f"no demo login can act for {community.name}: run communities' load_demo first")


def _run_step(plan: Plan, step: Step | None, wish_pk: int | None, actors: Actors, areas: dict):
    """Run one step; returns the wish's pk."""
    community, street = areas[plan.compound.pk]
    f = plan.fields
    if step is None:  # the submission
        channel = f["channel"]
        actor = None if channel == Channel.WEB else actors.for_level(Level.COMMUNITY, community, street)
        wish, _created = services.wish_submit(
            compound=plan.compound, category=plan.category, title=f["title"], description=f["description"],
            requester_name=f["requester_name"], requester_phone=f["requester_phone"],
            requester_type=f["requester_type"], channel=channel, actor=actor, idempotency_key=plan.key,
        )
        return wish.pk
    wish = Wish.objects.select_related("category").get(pk=wish_pk)
    actor = actors.for_level(wish.level, community, street)
    a, action = step.args, step.action
    if action == "accept":
        services.wish_accept(wish=wish, actor=actor)
    elif action == "escalate":
        services.wish_escalate(wish=wish, actor=actor, note=a.get("note", ""))
    elif action == "claim":
        kind, name = f["claimer"]
        services.wish_claim(wish=wish, actor=actor, claimer_kind=kind, claimer_name=name)
    elif action == "resolve":
        note = f["resolution"]
        if wish.claimer_name:
            note = f"{wish.claimer_name}认领并完成：{note}"
        services.wish_resolve(wish=wish, actor=actor, note=note)
    elif action == "reject":
        services.wish_reject(wish=wish, actor=actor, reason=a["reason"], note=a["note"])
    elif action == "withdraw":
        services.wish_withdraw(wish=wish, note=a["note"])
    elif action == "rate":
        recorder = actors.for_level(Level.COMMUNITY, community, street) if a["by_staff"] else None
        services.wish_rate(wish=wish, rating=a["rating"], comment=a["comment"], actor=recorder)
    elif action == "reopen":
        services.wish_reopen(wish=wish, note=a["note"])
    else:
        raise ValueError(action)
    return wish_pk


def _next_sweep_work() -> datetime.datetime | None:
    """When the sweep next has something to do (a reminder, an overdue notice, a
    rating window closing), as the database stands."""
    pending = Wish.objects.aggregate(remind=Min("remind_at"), overdue=Min("overdue_at"))
    resolved = Wish.objects.filter(status=Status.RESOLVED).aggregate(at=Min("resolved_at"))["at"]
    times = [*pending.values(), resolved and resolved + services.RATING_WINDOW]
    return min((t for t in times if t is not None), default=None)


def load_demo_wishes(*, now: datetime.datetime | None = None, count: int = COUNT) -> WishLoadResult:
    """Create the demo wishes that do not exist yet (see the module docstring)."""
    started = time.perf_counter()
    now = now or clock.now()
    keys = [f"{KEY_PREFIX}{n}" for n in range(1, count + 1)]
    existing = set(Wish.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    skipped: list[str] = []
    created = 0
    if len(existing) < count:
        plans = [p for p in build_plans(now, count) if p.key not in existing]
        created, skipped = _replay(plans, now)
    by_status = Counter(Wish.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list("status", flat=True))
    return WishLoadResult(created, len(existing), skipped, dict(sorted(by_status.items())),
                          time.perf_counter() - started)


def _replay(plans: list[Plan], now: datetime.datetime) -> tuple[int, list[str]]:
    """Run every step of every plan in time order, with the sweep every hour between."""
    timeline = sorted(
        (plan.submitted_at + datetime.timedelta(hours=step.hours) if step else plan.submitted_at, plan.n, i, step)
        for plan in plans for i, step in enumerate([None, *plan.steps])
    )
    if not timeline:
        return 0, []
    actors, by_n = Actors(), {plan.n: plan for plan in plans}
    areas = {}
    for plan in plans:
        if plan.compound.pk not in areas:
            ancestors = {a.kind: a for a in Area.objects.ancestors_of(plan.compound)}
            areas[plan.compound.pk] = (ancestors[AreaKind.COMMUNITY], ancestors[AreaKind.STREET])
    # A step at t starts stages whose reminders fall due at t + 80 % of a limit at the
    # earliest, so the sweep need not look before then (it would find nothing).
    limits = TimeLimit.objects.aggregate(accept=Min("accept_hours"), resolve=Min("resolve_hours"))
    shortest = min(h for h in (*limits.values(), *services.FALLBACK_HOURS.values()) if h)
    first_reminder = datetime.timedelta(hours=shortest * services.REMIND_AT_SHARE)
    pks: dict[int, int] = {}
    skipped: list[str] = []
    quiet = logging.getLogger(tasks.__name__)
    level = quiet.level
    quiet.setLevel(max(level, logging.WARNING))  # the sweep logs each run at INFO
    try:
        with _history_only(), demo_clock(now) as fake, transaction.atomic():
            tick = now - HOUR * int((now - timeline[0][0]) / HOUR)  # whole hours before now
            work = _next_sweep_work()
            for when, n, _i, step in [*timeline, (now, None, None, None)]:
                while tick <= when:  # the sweep, every hour it has work
                    if work is not None and work <= tick:
                        fake.current = tick
                        tasks.sweep()
                        work = _next_sweep_work()
                    tick += HOUR
                plan = by_n.get(n)
                if plan is None:
                    continue  # the end, or a history cut short
                fake.current = when
                try:  # each service undoes its own writes when it refuses
                    pks[n] = _run_step(plan, step, pks.get(n), actors, areas)
                except (services.WishConflict, PermissionDenied, ValidationError) as exc:
                    by_n[n] = None
                    skipped.append(f"{plan.key} {step.action if step else 'submit'}: {exc}")
                work = min(filter(None, (work, when + first_reminder)))
    finally:
        quiet.setLevel(level)
    return len(pks), skipped

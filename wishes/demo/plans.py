"""Planning the demo wishes: where each is, what it asks, and its history as steps
(hours after the submission) that end in a chosen outcome at load time."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from communities.demo import FENYI_CODE, LESHAN_CODE
from communities.demo.names import person_name
from communities.models import Area, AreaKind

from .. import services
from ..models import Category, ClaimerKind, Level, RequesterType
from .texts import (
    CLAIMERS,
    ESCALATE_NOTES,
    PAIRED_UNITS,
    RATING_COMMENTS,
    REJECT_NOTES,
    REOPEN_NOTES,
    SHOPS,
    TEXTS,
    WITHDRAW_NOTES,
)

COUNT = 600
DAYS = 120
KEY_PREFIX = "demo-"

# community code → share of the wishes (%); the rest of a street's share goes to its
# other communities. 海棠街道 = 511102001, 张公桥 002, 柏杨 004; 分宜县铃城街道 360521001.
MAIN_COMMUNITIES = {
    f"{LESHAN_CODE}001001": 18,  # 府街社区
    f"{LESHAN_CODE}001002": 16,  # 海棠社区
    f"{LESHAN_CODE}004001": 14,  # 柏杨社区
    f"{LESHAN_CODE}002001": 14,  # 斑竹湾社区
    f"{FENYI_CODE}001001": 10,  # 城东社区
}
OTHER_COMMUNITIES_OF = {f"{LESHAN_CODE}001": 12, f"{LESHAN_CODE}002": 4, f"{LESHAN_CODE}004": 4,
                        f"{FENYI_CODE}001": 8}
MAILBOX_STREET = f"{LESHAN_CODE}001"  # 海棠街道: one 微心愿 mailbox per community

# When each channel takes wishes (local hours): the form any time, staff by day.
CHANNEL_HOURS = {"web": (6.5, 23.5), "phone": (8, 20), "office_day": (8.5, 17.5), "walk_in": (8.5, 17.5),
                 "mailbox": (9, 17)}

# Outcome at load time → number of the 600 wishes.
OUTCOMES = {
    "submitted": 22, "submitted_overdue": 8, "accepted": 34, "accepted_overdue": 8, "street": 16,
    "auto_escalated": 8, "centre": 9, "centre_overdue": 4, "resolved": 30, "reopened_open": 6,
    "closed_rated": 318, "closed_unrated": 60, "reopened_closed": 17, "rejected": 38, "withdrawn": 22,
}
NEEDS_ESCALATING = {"auto_escalated"}  # only categories the sweep escalates
NEEDS_NON_ESCALATING = {"submitted_overdue", "accepted_overdue"}  # would be escalated otherwise
# Histories that are over at load time: their submission may move earlier.
FINAL_OUTCOMES = {"closed_rated", "closed_unrated", "reopened_closed", "rejected", "withdrawn"}
FALLBACK = {"auto_escalated": "street", "submitted_overdue": "submitted", "accepted_overdue": "accepted"}


@dataclass
class Step:
    hours: float  # after the submission
    action: str
    args: dict = field(default_factory=dict)


@dataclass
class Plan:
    n: int
    compound: Area
    category: Category
    fields: dict
    outcome: str
    submitted_at: datetime.datetime = None
    steps: list[Step] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{KEY_PREFIX}{self.n}"


class Planner:
    """Builds a wish's history as steps. Staff act well within the time limits except
    where a history is meant to be late; the sweep does the rest (reminders, overdue
    notices, escalation of unaccepted wishes in escalating categories, closing)."""

    def __init__(self, n: int, category: Category, limits: dict):
        self.rnd = random.Random(f"demo-wish-{n}")
        self.category = category
        self.escalates = category.escalate_when_overdue
        self.claimable = bool(CLAIMERS[category.code])
        self.acc = limits[category.pk, Level.COMMUNITY, "accept"]
        self.res = {level: limits[category.pk, level, "resolve"] for level in Level.values}

    def u(self, a: float, b: float) -> float:
        return self.rnd.uniform(a, b)

    def handled(self, level: str, *, late_ok=True) -> tuple[list[Step], float]:
        """Submission to the start of the resolving stage at ``level``."""
        steps, current, target = [], 0, Level.values.index(level)
        if target and self.escalates and self.rnd.random() < 0.3:
            t, current = self.acc + 1.5, 1  # not accepted: the sweep hands it up at the deadline
        else:
            late = late_ok and not self.escalates and self.rnd.random() < 0.1
            t = self.u(self.acc + 2, self.acc + 30) if late else self.u(0.3, 0.75 * self.acc)
            if target and self.rnd.random() < 0.2:  # the community passes it up without accepting
                steps.append(Step(t, "escalate", {"note": self.rnd.choice(ESCALATE_NOTES[:2])}))
                current = 1
            else:
                steps.append(Step(t, "accept"))
                if self.claimable and self.rnd.random() < 0.4:
                    t += self.u(0.2, 1.5)
                    steps.append(Step(t, "claim"))
        while current < target:
            t += self.u(2, 72)
            note = self.rnd.choice(ESCALATE_NOTES[:2]) if current == 0 else ESCALATE_NOTES[2]
            steps.append(Step(t, "escalate", {"note": note}))
            current += 1
        return steps, t

    def level(self) -> str:
        return self.rnd.choices(Level.values, weights=(70, 20, 10))[0]

    def resolved(self, *, late_ok=True) -> tuple[list[Step], float, str]:
        level = self.level()
        steps, t = self.handled(level, late_ok=late_ok)
        limit = self.res[level]
        late = late_ok and (not self.escalates or level == Level.CENTRE) and self.rnd.random() < 0.08
        t += limit + self.u(2, 72) if late else self.u(2 if level == Level.COMMUNITY else 12, 0.75 * limit)
        steps.append(Step(t, "resolve"))
        return steps, t, level

    def rating(self, steps) -> int:
        weights = (4, 6, 10, 30, 50) if len(steps) < 5 else (8, 10, 15, 35, 32)
        return self.rnd.choices((1, 2, 3, 4, 5), weights=weights)[0]

    def build(self, outcome: str) -> tuple[list[Step], float]:
        """Steps and the wish's age at load time in hours."""
        u, rnd = self.u, self.rnd
        if outcome == "submitted":
            return [], u(0.3, 0.95 * self.acc)
        if outcome == "submitted_overdue":
            return [], u(self.acc + 3, 6 * 24)
        if outcome in ("accepted", "accepted_overdue", "street", "centre", "centre_overdue"):
            level = {"street": Level.STREET, "centre": Level.CENTRE, "centre_overdue": Level.CENTRE}.get(
                outcome, Level.COMMUNITY)
            steps, t = self.handled(level, late_ok=False)
            limit = self.res[level]
            since = u(limit + 3, limit + 8 * 24) if outcome.endswith("overdue") else u(1, 0.95 * limit)
            return steps, t + since
        if outcome == "auto_escalated":
            return [], self.acc + u(2, 0.9 * self.res[Level.STREET])
        if outcome == "resolved":
            steps, t, _level = self.resolved(late_ok=False)
            return steps, t + u(1, 160)
        if outcome in ("reopened_open", "reopened_closed"):
            steps, t, level = self.resolved(late_ok=False)
            t += u(12, 5.5 * 24)
            steps.append(Step(t, "reopen", {"note": rnd.choice(REOPEN_NOTES)}))
            if outcome == "reopened_open":
                return steps, t + u(1, 0.9 * self.res[level])
            t += u(12, 0.75 * self.res[level])
            steps.append(Step(t, "resolve"))
            return self.finish(steps, t, rated=rnd.random() < 0.7)
        if outcome in ("closed_rated", "closed_unrated"):
            steps, t, _level = self.resolved()
            return self.finish(steps, t, rated=outcome == "closed_rated")
        if outcome == "rejected":
            reason = rnd.choices(list(REJECT_NOTES), weights=(5, 4, 1))[0]
            steps = []
            t = u(0.5, 0.75 * self.acc)
            if rnd.random() < 0.2:
                steps.append(Step(t, "accept"))
                t += u(2, 48)
            steps.append(Step(t, "reject", {"reason": reason, "note": REJECT_NOTES[reason]}))
            return steps, self.age(t)
        if outcome == "withdrawn":
            steps, t = [], u(0.5, 0.75 * self.acc)
            if rnd.random() < 0.4:
                steps.append(Step(t, "accept"))
                t += u(2, 72)
            steps.append(Step(t, "withdraw", {"note": rnd.choice(WITHDRAW_NOTES)}))
            return steps, self.age(t)
        raise ValueError(outcome)

    def finish(self, steps, t, *, rated: bool) -> tuple[list[Step], float]:
        if rated:
            rating = self.rating(steps)
            t += self.u(1, 5 * 24)
            steps.append(Step(t, "rate", {"rating": rating, "comment": self.rnd.choice(RATING_COMMENTS[rating]),
                                          "by_staff": self.rnd.random() < 0.4}))
        else:
            t += 7 * 24 + 2  # the sweep closes it when the rating window has passed
        return steps, self.age(t)

    def age(self, duration: float) -> float:
        """An age between the history's length and DAYS, uniform where it fits."""
        age = self.u(0, (DAYS - 1) * 24)  # a day to spare for moving it into office hours
        return age if age > duration + 1 else duration + self.u(1, 48)


def _wish_fields(n: int, rnd: random.Random, category: Category, compound: Area, channel: str) -> dict:
    texts = TEXTS[category.code][1]
    merchant = any(t[3] for t in texts) and rnd.random() < 0.2
    title, template, resolution, _merchant_ok = rnd.choice([t for t in texts if t[3] or not merchant])
    surname = person_name(5000 + n)[0]
    description = template.format(
        b=rnd.randint(1, 12), u=rnd.randint(1, 4), f=rnd.randint(2, 7), g=rnd.randint(1, 6),
        d=rnd.randint(2, 6), elder=f"{person_name(9000 + n)[0]}{rnd.choice(['大爷', '婆婆', '奶奶'])}",
    )
    if merchant:
        shop = rnd.choice(SHOPS).format(s=surname)
        name, phone = f"{shop}（{surname}老板）", f"1390000{n:04d}"
        description = f"我是{compound.name}门口{shop}的店主。{description}"
    else:
        informal = rnd.random() < 0.3
        name = surname + rnd.choice(["阿姨", "大爷", "女士", "先生"]) if informal else person_name(5000 + n)
        phone = f"1380000{n:04d}"  # obviously fake: 138-0000-xxxx
    return {
        "title": title, "description": description, "resolution": resolution, "channel": channel,
        "requester_name": name, "requester_phone": phone,
        "requester_type": RequesterType.MERCHANT if merchant else RequesterType.RESIDENT,
    }


def _channel(rnd: random.Random, street_code: str) -> str:
    if street_code == MAILBOX_STREET:
        return rnd.choices(["web", "office_day", "phone", "walk_in", "mailbox"], weights=[30, 15, 15, 10, 30])[0]
    return rnd.choices(["web", "office_day", "phone", "walk_in"], weights=[40, 20, 25, 15])[0]


def _in_hours(rnd: random.Random, when: datetime.datetime, channel: str, *, may_move: bool):
    """A submission time the channel takes wishes at: moved earlier (a finished history
    stays finished) or, for a history that must end as it is, the web form instead."""
    start, end = CHANNEL_HOURS[channel]
    local = timezone.localtime(when)
    hour = local.hour + local.minute / 60
    if start <= hour < end:
        return when, channel
    if not may_move:
        return when, "web" if channel != "web" else channel
    day = local.date() if hour >= end else local.date() - datetime.timedelta(days=1)
    moment = datetime.datetime.combine(day, datetime.time(), tzinfo=local.tzinfo)
    return moment + datetime.timedelta(hours=rnd.uniform(start, end)), channel


def _claimer(rnd: random.Random, category: Category, community: Area) -> tuple[str, str]:
    options = CLAIMERS[category.code]
    if not options:
        return "", ""
    kind, names = rnd.choice(options)
    if names is None:
        return kind, f"党员{person_name(20000 + rnd.randrange(5000))}"
    name = rnd.choice(names)
    if name.startswith("@"):
        return kind, f"{PAIRED_UNITS[community.code[:6]][name[1:]]}（双报到单位）"
    name = name.format(community=community.name.removesuffix("社区"))
    return kind, f"{name}（爱心商家）" if kind == ClaimerKind.CARING_MERCHANT else name


def build_plans(now: datetime.datetime, count: int = COUNT) -> list[Plan]:
    """The plans of wishes 1..count (the same for the same ``now`` and settings)."""
    categories = list(Category.objects.filter(code__in=TEXTS, is_active=True))
    limits = {(c.pk, level, kind): services.limit_hours(c, level, kind)
              for c in categories for level in Level.values for kind in ("accept", "resolve")}
    communities = _communities()
    shuffled = [o for o, k in OUTCOMES.items() for _ in range(k)]
    random.Random("demo-wish-outcomes").shuffle(shuffled)
    plans = []
    for n in range(1, count + 1):
        rnd = random.Random(f"demo-wish-where-{n}")
        outcome = shuffled[(n - 1) * len(shuffled) // count]
        allowed = [c for c in categories
                   if (outcome not in NEEDS_ESCALATING or c.escalate_when_overdue)
                   and (outcome not in NEEDS_NON_ESCALATING or not c.escalate_when_overdue)]
        if not allowed:
            outcome, allowed = FALLBACK[outcome], categories
        category = rnd.choices(allowed, weights=[TEXTS[c.code][0] for c in allowed])[0]
        community, compounds = rnd.choices(communities, weights=[w for _c, _cs, w in communities])[0][:2]
        compound = compounds[int(len(compounds) * rnd.random() ** 1.6)]  # some compounds ask more
        steps, age = Planner(n, category, limits).build(outcome)
        submitted, channel = _in_hours(rnd, now - datetime.timedelta(hours=age), _channel(rnd, community.code[:9]),
                                       may_move=outcome in FINAL_OUTCOMES)
        fields = _wish_fields(n, rnd, category, compound, channel)
        fields["claimer"] = _claimer(rnd, category, community)
        plans.append(Plan(n, compound, category, fields, outcome, submitted, steps))
    return plans


def _communities() -> list[tuple[Area, list[Area], float]]:
    """(community, its compounds, weight) for every community that gets wishes."""
    out = []
    for street_code, share in OTHER_COMMUNITIES_OF.items():
        street = Area.objects.get(code=street_code)
        members = list(Area.objects.within(street).filter(kind=AreaKind.COMMUNITY).order_by("code"))
        others = [c for c in members if c.code not in MAIN_COMMUNITIES]
        for community in members:
            weight = MAIN_COMMUNITIES.get(community.code, share / len(others))
            compounds = list(Area.objects.within(community).filter(kind=AreaKind.COMPOUND).order_by("code"))
            out.append((community, compounds, weight))
    return out



"""A million micro-wishes, fast: rows generated in Python and sent with PostgreSQL's
``COPY … FROM STDIN`` (psycopg's ``cursor.copy``), into the table as migrated, with all
its indexes and constraints in place.

The rows keep the model's rules: an open wish (submitted, accepted, street, centre)
has ``due_at`` = start of its stage + the stage's time limit, ``remind_at`` (80 % of the
limit) and ``overdue_at`` (= ``due_at``) only while still in the future (the sweep
clears them when it has sent the notice, so past ones are NULL, and ``was_overdue``
is set), NULL for every other status; ``community``/``street`` are the compound's
nearest community (or grid in a park) and street (or town/zone), as intake computes
them; tracking codes are unique (a bijection of the row number into the 32^10 codes
of the alphabet); times are consistent (accepted before resolved before rated,
nothing after now). Created over ``years`` years; older wishes are mostly closed,
rejected or withdrawn, the last two weeks mostly open or awaiting a rating, and a few
older ones are stuck open past their deadline.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

H = datetime.timedelta(hours=1)

CLAIMERS = [("party_member", "党员{name}"), ("volunteer_team", "红马甲志愿服务队"),
            ("paired_unit", "市人民医院（双报到单位）"), ("caring_merchant", "好邻居便民超市（爱心商家）")]
CHANNELS = (["web", "phone", "office_day", "walk_in", "mailbox"], [45, 20, 15, 10, 10])
LEVEL_WEIGHTS = (["community", "street", "centre"], [75, 17, 8])
STAGE_OF_LEVEL = {"community": 2, "street": 3, "centre": 4}


def compounds_with_handlers():
    """[(compound id, community id, street id, households)] for every compound under a
    community or grid and a street, town or zone: the ones intake accepts."""
    from communities.models import Area, AreaKind

    kinds = {pk: kind for pk, kind in Area.objects.values_list("pk", "kind")}
    out = []
    for compound in Area.objects.filter(kind=AreaKind.COMPOUND).order_by("pk"):
        above = list(reversed(compound.ancestor_ids))
        community = next((pk for pk in above if kinds[pk] == AreaKind.COMMUNITY), None) or next(
            (pk for pk in above if kinds[pk] == AreaKind.GRID), None)
        street = next((pk for pk in above if kinds[pk] in (AreaKind.STREET, AreaKind.TOWN, AreaKind.ZONE)), None)
        if community and street:
            out.append((compound.pk, community, street, compound.households or 100))
    return out


class RowMaker:
    def __init__(self, *, now, years: float, compounds, categories, limits, staff_by_community, seed=20260301):
        from communities.demo import person_name
        from wishes.demo.texts import TEXTS
        from wishes.models import Wish
        from wishes.services import REMIND_AT_SHARE, TRACKING_ALPHABET

        self.rnd = random.Random(seed)
        self.now, self.span_h = now, years * 365 * 24
        self.compounds = compounds
        self.compound_weights = list(_cumulative(c[3] for c in compounds))
        self.categories = categories  # [(id, code)]
        self.category_weights = list(_cumulative(TEXTS[code][0] for _pk, code in categories))
        self.texts = {pk: TEXTS[code][1] for pk, code in categories}
        self.limits = limits  # (category id, level, "accept"/"resolve") → hours
        self.staff = staff_by_community
        self.share = REMIND_AT_SHARE
        self.alphabet = TRACKING_ALPHABET
        self.names = [person_name(i) for i in range(5000)]
        fields = [f for f in Wish._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in fields]
        self.defaults = {f.column: (None if f.null else f.get_default()) for f in fields}

    # --- helpers -------------------------------------------------------------------

    def between(self, a: datetime.datetime, b: datetime.datetime) -> datetime.datetime:
        """Uniform in [a, b], never after now."""
        return min(a + (b - a) * self.rnd.random() if b > a else a, self.now)

    def tracking_code(self, i: int) -> str:
        n = (i * 0x9E3779B97F + 0x5DEECE66D) % (32 ** 10)  # odd multiplier: a bijection
        chars = []
        for _ in range(10):
            n, r = divmod(n, 32)
            chars.append(self.alphabet[r])
        return "".join(chars)

    def open_stage(self, row, status, level, stage, started, hours):
        """An open wish in its current stage: the pending markers only while in the future."""
        due = started + hours * H
        remind = started + hours * self.share * H
        row.update(status=status, level=level, stage=stage, stage_started_at=started, due_at=due,
                   remind_at=remind if remind > self.now else None,
                   overdue_at=due if due > self.now else None)
        if due < self.now:
            row["was_overdue"] = True
        return started

    # --- one row ---------------------------------------------------------------------

    def row(self, i: int) -> tuple:
        rnd, now = self.rnd, self.now
        compound, community, street, _households = self.compounds[
            _pick(self.compound_weights, rnd.random())]
        category, _code = self.categories[_pick(self.category_weights, rnd.random())]
        title, template, resolution, _m = rnd.choice(self.texts[category])
        age_h = rnd.random() * self.span_h
        created = now - age_h * H
        channel = rnd.choices(*CHANNELS)[0]
        staff = self.staff.get(community)
        row = dict(self.defaults)
        row.update(
            tracking_code=self.tracking_code(i), compound_id=compound, community_id=community,
            street_id=street, category_id=category, title=title,
            description=template.format(b=1 + i % 12, u=1 + i % 4, f=2 + i % 6, g=1 + i % 6, d=2 + i % 5,
                                        elder=self.names[i % 5000][0] + "大爷"),
            requester_type="merchant" if rnd.random() < 0.1 else "resident",
            requester_name=self.names[i % 5000], requester_phone=f"138{i % 10**8:08d}",
            channel=channel, submitted_by_id=None if channel == "web" else staff,
            created_at=created, stage_started_at=created, level="community", stage=1,
        )
        acc = self.limits[category, "community", "accept"]
        last = created
        r = rnd.random()
        if age_h < 1:
            kind = "submitted"
        elif age_h < 24:
            kind = "submitted" if r < 0.6 else "accepted" if r < 0.88 else "rejected" if r < 0.94 else "withdrawn"
        elif age_h < 14 * 24:
            kind = ("accepted" if r < 0.22 else "street" if r < 0.30 else "centre" if r < 0.34 else
                    "submitted" if r < 0.36 else "resolved" if r < 0.62 else "closed" if r < 0.86 else
                    "rejected" if r < 0.94 else "withdrawn")
        else:
            kind = ("stuck" if r < 0.012 else "closed" if r < 0.84 else "rejected" if r < 0.92 else "withdrawn")
        if kind == "submitted":
            last = self.open_stage(row, "submitted", "community", 1, created, acc)
        elif kind in ("rejected", "withdrawn"):
            closed = self.between(created + 0.1 * H, min(created + (20 if kind == "rejected" else 48) * H, now))
            row.update(status=kind, closed_at=closed,
                       reject_reason=rnd.choice(["duplicate", "out_of_scope", "not_feasible"]) if kind == "rejected" else "")
            last = closed
        else:
            accepted = self.between(created + 0.2 * H, min(created + 20 * H, now - 0.5 * H))
            late = rnd.random() < 0.05
            row.update(accepted_at=accepted, accepted_late=late, was_overdue=late)
            if rnd.random() < 0.25 and staff:
                kind_, name = rnd.choice(CLAIMERS)
                row.update(claimer_kind=kind_, claimer_name=name.format(name=self.names[(i * 7) % 5000]),
                           claimer_user_id=staff, claimed_at=min(accepted + 0.5 * H, now))
            level = {"accepted": "community", "street": "street", "centre": "centre"}.get(kind)
            if kind == "stuck":
                level = rnd.choice(["community", "street", "centre"])
            if level is not None:  # still open
                started = accepted if level == "community" else self.between(accepted, min(accepted + 72 * H, now))
                status = {"community": "accepted", "street": "street", "centre": "centre"}[level]
                last = self.open_stage(row, status, level, STAGE_OF_LEVEL[level], started,
                                       self.limits[category, level, "resolve"])
            else:
                level = rnd.choices(*LEVEL_WEIGHTS)[0]
                if kind == "resolved":
                    resolved = self.between(max(accepted + H, now - 160 * H), now)
                else:
                    resolved = self.between(accepted + 2 * H, min(accepted + 150 * H, now - H))
                row.update(status="resolved", level=level, stage=STAGE_OF_LEVEL[level],
                           stage_started_at=accepted, resolved_at=resolved, resolved_level=level,
                           resolution_note=resolution, was_overdue=row["was_overdue"] or rnd.random() < 0.05)
                last = resolved
                if kind == "closed":
                    unrated_close = resolved + 7 * 24 * H + 0.5 * H
                    if rnd.random() < 0.3 and unrated_close < now:
                        row.update(status="closed", closed_at=unrated_close)
                        last = unrated_close
                    else:
                        rated = self.between(resolved + 0.5 * H, min(resolved + 120 * H, now))
                        rating = rnd.choices([5, 4, 3, 2, 1], [50, 30, 10, 6, 4])[0]
                        row.update(status="closed", rating=rating, rated_at=rated, closed_at=rated)
                        last = rated
        row["updated_at"] = last
        return tuple(row[c] for c in self.columns)

    def rows(self, count: int) -> Iterator[tuple]:
        for i in range(count):
            yield self.row(i)


def _cumulative(weights) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _pick(cumulative: list[float], u: float) -> int:
    import bisect

    return min(bisect.bisect_right(cumulative, u * cumulative[-1]), len(cumulative) - 1)


def copy_wishes(maker: RowMaker, count: int, *, progress=None) -> int:
    """Insert ``count`` rows with one COPY (in the current transaction)."""
    from django.db import connection

    columns = ", ".join(f'"{c}"' for c in maker.columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's cursor, under Django's wrapper
        with raw.copy(f"COPY wishes_wish ({columns}) FROM STDIN") as copy:
            for n, row in enumerate(maker.rows(count), 1):
                copy.write_row(row)
                if progress and n % 200_000 == 0:
                    progress(n)
    return count

#!/usr/bin/env python
"""Micro-wishes at a million rows, on PostgreSQL.

    .venv/bin/python benchmarks/wish_bench.py                            # the full run
    .venv/bin/python benchmarks/wish_bench.py --wishes 100000 --due 10000 # a quick one
    .venv/bin/python benchmarks/wish_bench.py --reuse                     # same data again

It (re)creates its own database (``DATABASE_URL``, default ``gov_wbench``; the name must
contain "bench"), migrates it, loads the demo territory (``communities.demo.load_demo``:
乐山市市中区, 分宜县, 汶上; its staff logins), gives every community and street a staff
login (so notices have recipients), and writes ``--wishes`` wishes over ``--years``
years with one ``COPY`` (``wish_rows.py``). Then, median of ``--repeat`` runs:

a) the staff inbox, ``GET /api/v1/wishes/?within=<area>&status=submitted&status=accepted
   &page_size=50&ordering=due_at`` through Django's test client (session login), as the
   street's staff (海棠街道) and a community's (府街社区), next to the ORM query and raw
   SQL for the same page (asserted to be the same rows);
b) ``GET /api/v1/wishes/stats/?within=…&from=…&to=…`` for the street and the district,
   over 30 and 365 days;
c) the sweep: ``--due`` wishes made due (the most recent closed ones turned back into
   open wishes whose reminder and deadline have passed, as after a long outage of the
   beat), then ``wishes.tasks.sweep()`` end to end, and a second run;
d) ``wishes.services.wish_submit`` ``--submits`` times, and as many POSTs of the
   public form (``wish-submit``), each from its own address and number;

and prints EXPLAIN ANALYZE of the inbox queries and of the sweep's batch queries.
Celery messages (one e-mail run per sweep, one after each submission's notice) go to
``REDIS_URL`` (default ``redis://127.0.0.1:6379/14``) and are purged at the end. See
README.md.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time

from _common import (
    Measurements,
    configure_environment,
    count_queries,
    describe_database,
    explain,
    explain_slowest,
    fresh,
    recreate_database,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gov_wbench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
PASSWORD = "bench-only-password-1"
STREET_CODE, COMMUNITY_CODE = "511102001", "511102001001"  # 海棠街道, 府街社区
STREET_LOGIN, COMMUNITY_LOGIN, DISTRICT_LOGIN = "haitang-street", "fujie-community", "leshan-admin"
INBOX_STATUSES = ["submitted", "accepted"]
# Proposed in README.md (not in the models yet): open wishes by compound, for the inbox;
# wishes by compound and time, for the statistics of a subtree and period.
CANDIDATE_INDEXES = [
    "CREATE INDEX IF NOT EXISTS bench_wish_open_compound ON wishes_wish (compound_id, status) "
    "WHERE status IN ('submitted', 'accepted', 'street', 'centre')",
    "CREATE INDEX IF NOT EXISTS bench_wish_compound_created ON wishes_wish (compound_id, created_at)",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--wishes", type=int, default=1_000_000, help="wishes to generate")
    p.add_argument("--years", type=float, default=2, help="over how many years they were submitted")
    p.add_argument("--due", type=int, default=100_000, help="wishes made due for the sweep (0: skip c)")
    p.add_argument("--submits", type=int, default=1000, help="submissions per way in d (0: skip d)")
    p.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (after one warm-up)")
    p.add_argument("--reuse", action="store_true", help="reuse the database of a previous run")
    p.add_argument("--candidate-indexes", action="store_true",
                   help="experiment: create the indexes README.md proposes (CANDIDATE_INDEXES) before measuring")
    return p.parse_args()


# --- Building -----------------------------------------------------------------------


def build(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from wish_rows import RowMaker, compounds_with_handlers, copy_wishes

    from communities.demo import load_demo
    from communities.models import Area, AreaKind
    from governance.models import StaffRole
    from wishes.models import Category, Level
    from wishes.services import limit_hours

    timings = {}
    t0 = time.perf_counter()
    demo = load_demo(password=PASSWORD)
    timings["demo territory + logins"] = (demo.total_created, time.perf_counter() - t0)

    t0 = time.perf_counter()
    User = get_user_model()
    compounds = compounds_with_handlers()
    handlers = {(c, "community_staff") for _x, c, _s, _h in compounds} | {
        (s, "street_staff") for _x, _c, s, _h in compounds}
    areas = Area.objects.in_bulk([pk for pk, _role in handlers])
    users = User.objects.bulk_create([User(username=f"wb-{areas[pk].code}") for pk, _role in sorted(handlers)])
    StaffRole.objects.bulk_create([StaffRole(user=u, area_id=pk, role=role)
                                   for u, (pk, role) in zip(users, sorted(handlers), strict=True)])
    staff_by_community = {pk: u.pk for u, (pk, role) in zip(users, sorted(handlers), strict=True)
                          if role == "community_staff"}
    timings["staff per community/street"] = (len(users), time.perf_counter() - t0)

    categories = list(Category.objects.filter(is_active=True).values_list("pk", "code"))
    limits = {(pk, level, kind): limit_hours(Category(pk=pk), level, kind)
              for pk, _code in categories for level in Level.values for kind in ("accept", "resolve")}
    from django.utils import timezone

    maker = RowMaker(now=timezone.now(), years=args.years, compounds=compounds, categories=categories,
                     limits=limits, staff_by_community=staff_by_community)
    t0 = time.perf_counter()
    with transaction.atomic():
        copy_wishes(maker, args.wishes, progress=lambda n: print(f"  … {n:,} rows", flush=True))
    timings["wishes (COPY)"] = (args.wishes, time.perf_counter() - t0)

    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE wishes_wish")
    timings["VACUUM ANALYZE"] = (None, time.perf_counter() - t0)
    print(f"  {len(compounds)} compounds with a community and a street; "
          f"{Area.objects.filter(kind=AreaKind.COMMUNITY).count()} communities")
    return timings


# --- a) the inbox, b) statistics ------------------------------------------------------


def inbox_sql(limit: int) -> str:
    return (
        "SELECT w.*, c.name, cm.name, st.name, cat.code FROM wishes_wish w "
        "JOIN communities_area c ON c.id = w.compound_id "
        "JOIN communities_area cm ON cm.id = w.community_id "
        "JOIN communities_area st ON st.id = w.street_id "
        "JOIN wishes_category cat ON cat.id = w.category_id "
        "WHERE c.path LIKE %s AND w.status IN ('submitted', 'accepted') "
        f"ORDER BY w.due_at ASC NULLS LAST, w.id ASC LIMIT {limit}"
    )


def measure_reads(args, table: Measurements) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from communities.models import Area
    from wishes.models import Wish

    User = get_user_model()
    street, community = Area.objects.get(code=STREET_CODE), Area.objects.get(code=COMMUNITY_CODE)
    district = Area.objects.get(pk=street.parent_id)
    api_works = True
    for label, username, area in (("street staff", STREET_LOGIN, street),
                                  ("community staff", COMMUNITY_LOGIN, community)):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        params = {"within": area.pk, "status": INBOX_STATUSES, "page_size": 50, "ordering": "due_at"}

        def get(client=client, params=params):
            response = client.get("/api/v1/wishes/", params, HTTP_ACCEPT="application/json", secure=True)
            assert response.status_code == 200, (response.status_code, response.content[:300])
            return response.json()

        page = None
        try:
            page = table.add("a API", f"wishes?within={area.name}&status=…&ordering=due_at ({label})", get,
                             rows_of=lambda b: len(b["results"]))
        except AssertionError as exc:  # the API may not be there yet
            api_works = False
            print(f"  API not measured for {label}: {exc}")

        def orm(user=user, area=area):
            return list(Wish.objects.visible_to(fresh(user)).select_related("compound", "community", "street", "category")
                        .filter(compound__path__startswith=area.path, status__in=INBOX_STATUSES)
                        .order_by("due_at", "id")[:50])

        rows = table.add("a ORM", f"visible_to(…).filter(…).order_by('due_at')[:50] ({label})", orm)

        def raw(area=area):
            with connection.cursor() as cursor:
                cursor.execute(inbox_sql(50), [area.path + "%"])
                return cursor.fetchall()

        def raw_count(area=area):
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM wishes_wish w JOIN communities_area c ON c.id = w.compound_id "
                               "WHERE c.path LIKE %s AND w.status IN ('submitted', 'accepted')", [area.path + "%"])
                return cursor.fetchone()[0]

        total = table.add("a raw SQL", f"count(*) of the inbox ({area.name})", raw_count, rows_of=lambda n: n)
        same = table.add("a raw SQL", f"SELECT … LIMIT 50, 4 joins ({area.name})", raw)
        assert [r[0] for r in same] == [w.pk for w in rows], "raw SQL and ORM pages differ"
        if page is not None:
            assert page["count"] == total, (page["count"], total)
            assert [r["id"] for r in page["results"]] == [w.pk for w in rows], "API and ORM pages differ"
        print(f"  inbox of {area.name} ({label}): {total:,} submitted or accepted, "
              f"{Wish.objects.filter(compound__path__startswith=area.path).count():,} wishes in all")

    today = timezone.localdate()
    for label, username, area in (("street", STREET_LOGIN, street), ("district", DISTRICT_LOGIN, district)):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for days in (30, 365):
            params = {"within": area.pk, "from": (today - datetime.timedelta(days=days - 1)).isoformat(),
                      "to": today.isoformat()}

            def stats(client=client, params=params):
                response = client.get("/api/v1/wishes/stats/", params, HTTP_ACCEPT="application/json", secure=True)
                assert response.status_code == 200, (response.status_code, response.content[:300])
                return response.json()

            try:
                table.add("b API", f"wishes/stats/?within={area.name}, {days} days", stats,
                          rows_of=lambda b: b["totals"]["count"])
            except AssertionError as exc:
                print(f"  stats API not measured for {label}: {exc}")
    return api_works


def explain_reads(api_works: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from communities.models import Area

    user = get_user_model().objects.get(username=STREET_LOGIN)
    street = Area.objects.get(code=STREET_CODE)
    if not api_works:
        return
    client = Client()
    client.force_login(user)

    def run():
        client.get("/api/v1/wishes/", {"within": street.pk, "status": INBOX_STATUSES, "page_size": 50,
                                       "ordering": "due_at"}, HTTP_ACCEPT="application/json", secure=True)

    explain("inbox page, as the API sends it (street staff)", run, match="LIMIT")
    explain("inbox count, as the API sends it (street staff)", run, match="COUNT(*)")

    from django.utils import timezone

    today = timezone.localdate()
    params = {"within": street.pk, "from": (today - datetime.timedelta(days=29)).isoformat(),
              "to": today.isoformat()}
    explain_slowest(f"stats API, {street.name}, 30 days", lambda: client.get(
        "/api/v1/wishes/stats/", params, HTTP_ACCEPT="application/json", secure=True))


# --- c) the sweep -----------------------------------------------------------------------


def make_due(n: int, now) -> int:
    """Turn the ``n`` most recent closed wishes into open ones whose reminder and
    deadline passed 1–72 hours ago (markers set, ``remind_at`` at 80 % of the limit)."""
    from django.db import connection

    from wishes.defaults import DEFAULT_LIMITS

    acc, res_c, res_x = DEFAULT_LIMITS["community"][0], DEFAULT_LIMITS["community"][1], DEFAULT_LIMITS["centre"][1]
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH picked AS (
                SELECT id, id %% 20 AS k FROM wishes_wish WHERE status = 'closed'
                ORDER BY created_at DESC LIMIT %(n)s
            ), shaped AS (
                SELECT id,
                  CASE WHEN k < 5 THEN 'submitted' WHEN k < 16 THEN 'accepted' WHEN k < 19 THEN 'street'
                       ELSE 'centre' END AS status,
                  CASE WHEN k < 16 THEN 'community' WHEN k < 19 THEN 'street' ELSE 'centre' END AS level,
                  CASE WHEN k < 5 THEN 1 WHEN k < 16 THEN 2 WHEN k < 19 THEN 3 ELSE 4 END AS stage,
                  CASE WHEN k < 5 THEN {acc} WHEN k < 19 THEN {res_c} ELSE {res_x} END AS hours,
                  %(now)s::timestamptz - ((id %% 72) + 1) * interval '1 hour' AS due
                FROM picked
            )
            UPDATE wishes_wish w SET
              status = s.status, level = s.level, stage = s.stage,
              stage_started_at = s.due - s.hours * interval '1 hour', due_at = s.due, overdue_at = s.due,
              remind_at = s.due - s.hours * 0.2 * interval '1 hour',
              accepted_at = CASE WHEN s.status = 'submitted' THEN NULL ELSE w.accepted_at END,
              accepted_late = CASE WHEN s.status = 'submitted' THEN NULL ELSE w.accepted_late END,
              resolved_at = NULL, resolved_level = '', resolution_note = '', rating = NULL,
              rating_comment = '', rated_at = NULL, closed_at = NULL, updated_at = %(now)s
            FROM shaped s WHERE w.id = s.id
        """, {"n": n, "now": now})
        made = cursor.rowcount
        cursor.execute("ANALYZE wishes_wish")
    return made


def measure_sweep(args) -> None:
    from django.db import transaction

    from governance import clock
    from governance.models import AuditEvent
    from wishes import notify, tasks
    from wishes.models import Notification, Wish

    now = clock.now()
    t0 = time.perf_counter()
    made = make_due(args.due, now)
    print(f"\nc) sweep: {made:,} wishes made due in {time.perf_counter() - t0:.1f} s; pending now: "
          f"{Wish.objects.filter(remind_at__lte=now).count():,} reminders, "
          f"{Wish.objects.filter(overdue_at__lte=now).count():,} overdue notices")
    # The SELECT … FOR UPDATE SKIP LOCKED that picks a batch; it needs a transaction
    # (EXPLAIN ANALYZE then runs it again on its own, locking nothing for long).
    def locked_batch(field, at):
        with transaction.atomic():
            return tasks._pending(field, at, lock=True)

    explain("sweep's batch of reminders (500, locked)", lambda: locked_batch("remind_at", now),
            match="FOR UPDATE")
    explain("sweep's batch of overdue notices (500, locked)", lambda: locked_batch("overdue_at", now),
            match="FOR UPDATE")

    notes0, events0 = Notification.objects.count(), AuditEvent.objects.count()
    # Count the e-mail delivery runs the sweep queues (one per sweep, not per notice).
    queued = []
    enqueue = notify._enqueue_email_delivery
    notify._enqueue_email_delivery = lambda: (queued.append(1), enqueue())
    started_at = clock.now()
    t0 = time.perf_counter()
    try:
        result = tasks.sweep()
    finally:
        notify._enqueue_email_delivery = enqueue
    seconds = time.perf_counter() - t0
    notes, events = Notification.objects.count() - notes0, AuditEvent.objects.count() - events0
    handled = result["reminders"] + result["overdue"]
    print(f"  sweep(): {result} in {seconds:.1f} s = {handled / seconds:,.0f} notices/s "
          f"({made / seconds:,.0f} due wishes/s); wrote {notes:,} notifications, {events:,} audit events; "
          f"queued {len(queued)} e-mail delivery run(s)")
    # Again at the moment the first run started (the sweep reads the clock once): what
    # fell due while it ran is the next run's work, not a left-over.
    from wishes.demo import demo_clock

    with demo_clock(started_at):
        t0 = time.perf_counter()
        again = tasks.sweep()
        print(f"  sweep() again, same moment: {again} in {(time.perf_counter() - t0) * 1000:.1f} ms")
        explain("sweep's batch of reminders, after the sweep", lambda: locked_batch("remind_at", started_at),
                match="FOR UPDATE")


# --- d) submissions ----------------------------------------------------------------------


def measure_submissions(args) -> None:
    import random

    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from communities.models import Area, AreaKind
    from wishes.demo.texts import TEXTS
    from wishes.models import Category
    from wishes.services import wish_submit

    rnd = random.Random(7)
    # Addresses and numbers new to the rate limits, which live in the cache (Redis) and
    # outlast a run: a fresh block of each per run.
    run = random.SystemRandom().randrange(10**4)
    compounds = list(Area.objects.filter(kind=AreaKind.COMPOUND, code__startswith="511102"))
    categories = list(Category.objects.filter(is_active=True))

    def fields(i):
        category = rnd.choice(categories)
        title, template, _r, _m = rnd.choice(TEXTS[category.code][1])
        return dict(compound=rnd.choice(compounds), category=category, title=title,
                    description=template.format(b=3, u=2, f=4, g=3, d=3, elder="王大爷"),
                    requester_name="王建国", requester_phone=f"137{run:04d}{i:04d}")

    n = args.submits
    print(f"\nd) submissions ({n} each)")
    t0 = time.perf_counter()
    for i in range(n):
        wish_submit(**fields(i))
    seconds = time.perf_counter() - t0
    queries = count_queries(lambda: wish_submit(**fields(n)))
    print(f"  wishes.services.wish_submit: {n / seconds:,.0f} per second ({seconds / n * 1000:.1f} ms each, "
          f"{queries} queries)")

    try:
        url = reverse("wish-submit")
    except NoReverseMatch:
        print("  the public form (URL name wish-submit) does not exist yet: not measured")
        return
    from wishes.public_forms import new_form_token

    client = Client(raise_request_exception=False)

    def post(i):
        f = fields(5000 + i)
        response = client.post(url, {
            "token": new_form_token(), "compound": f["compound"].code, "category": f["category"].pk,
            "title": f["title"], "description": f["description"], "requester_type": "resident",
            "requester_name": f["requester_name"], "requester_phone": f["requester_phone"], "consent": "on",
        }, REMOTE_ADDR=f"10.{run % 256}.{i // 256 % 256}.{i % 256}", secure=True)
        if response.status_code != 302:
            raise RuntimeError(f"form POST {i}: HTTP {response.status_code}")
        return response["Location"]

    t0 = time.perf_counter()
    try:
        for i in range(n):
            last = post(i)
        seconds = time.perf_counter() - t0
        queries = count_queries(lambda: post(n))
    except RuntimeError as exc:
        print(f"  {exc}: not measured further")
        return
    print(f"  POST {url} (test client, each from its own address): {n / seconds:,.0f} per second "
          f"({seconds / n * 1000:.1f} ms each, {queries} queries); e.g. → {last}")


# --- main --------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    db = configure_environment(DEFAULT_DATABASE_URL, script="wish_bench", extra_env={"REDIS_URL": DEFAULT_REDIS_URL})
    started = time.perf_counter()

    import django

    if not args.reuse:
        recreate_database(db)
    django.setup()
    from django.core.management import call_command

    from wishes.models import Wish

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    migrate_s = time.perf_counter() - t0
    print(describe_database())

    if args.reuse and Wish.objects.exists():
        print(f"reusing the {Wish.objects.count():,} wishes of a previous run")
    else:
        if args.reuse:
            sys.exit("--reuse: no wishes in this database; run without --reuse first")
        print(f"migrate: {migrate_s:.1f} s\nBuild")
        total = 0.0
        for what, (n, seconds) in build(args).items():
            total += seconds
            rate = f"  {n / seconds:,.0f} rows/s" if n else ""
            print(f"  {what:<28} {'' if n is None else f'{n:>10,} rows'}  {seconds:6.1f} s{rate}")
        print(f"  {'total':<28} {'':>15}  {total:6.1f} s")

    if args.candidate_indexes:
        from django.db import connection

        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for ddl in CANDIDATE_INDEXES:
                cursor.execute(ddl)
            cursor.execute("ANALYZE wishes_wish")
        print(f"experiment: candidate indexes created ({time.perf_counter() - t0:.1f} s)")
    table = Measurements(args.repeat)
    api_works = measure_reads(args, table)
    table.print()
    explain_reads(api_works)
    if args.due:
        measure_sweep(args)
    if args.submits:
        measure_submissions(args)

    from governance.celery import app

    purged = app.control.purge()
    print(f"\n{purged:,} queued Celery messages purged; total runtime {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

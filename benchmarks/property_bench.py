#!/usr/bin/env python
"""Closing a star rating period (星级评价) for 10,000 companies and 1,000,000 owners'
ratings, on PostgreSQL.

    .venv/bin/python benchmarks/property_bench.py                                # the full run
    .venv/bin/python benchmarks/property_bench.py --companies 1000 --ratings 100000  # a quick one
    .venv/bin/python benchmarks/property_bench.py --reuse                        # same data again

It (re)creates its own database (``DATABASE_URL``, default ``gov_pbench``; the name must
contain "bench"), migrates it, and builds with set-based SQL (``INSERT … SELECT`` over
``generate_series``/``unnest``, no rows through Python): one district with ``--streets``
streets and ``--communities`` communities, ``--companies`` compounds each served by its
own company (professional mode since last year), households in them, one open period of
the current half year (made with ``period_create``/``period_open``), ``--ratings``
owners' ratings (one per household; every 40th company gets only 6, below the minimum of
10: "insufficient sample"), an organisation review by the compound's community for all
but every 50th company ("incomplete"), and one or two checklist inspections per company.
Then, median of ``--repeat`` runs after a warm-up:

a) ``services_ratings.period_close`` (the first close, timed once, then closes of the
   period re-opened by SQL) and ``period_recompute`` (the second run: the rows are
   asserted identical), with the queries they send and EXPLAIN of the slowest;
b) the first page of the published results: the selector ``period_results(period)[:50]``
   and its count, ``GET /api/v1/rating-periods/<id>/results/``, ``GET
   /api/v1/rating-results/?period=<id>``, the staff page of the closed period and the
   public results page (``/property/results/<id>/``, 100 companies a page).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time

from _common import (
    Measurements,
    configure_environment,
    describe_database,
    explain,
    recreate_database,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gov_pbench"
ADMIN = "pbench-admin"
DISTRICT_CODE = "PBENCH"
THIN_EVERY, THIN_RATINGS = 40, 6  # every 40th company: 6 ratings (minimum 10)
NO_REVIEW_EVERY = 50  # every 50th company (offset 1): no organisation review


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--companies", type=int, default=10_000, help="companies (one compound each)")
    p.add_argument("--ratings", type=int, default=1_000_000, help="owners' ratings in the period")
    p.add_argument("--streets", type=int, default=10, help="streets in the district")
    p.add_argument("--communities", type=int, default=100, help="communities (spread over the streets)")
    p.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (after one warm-up)")
    p.add_argument("--reuse", action="store_true", help="reuse the database of a previous run")
    return p.parse_args()


# --- Building -----------------------------------------------------------------------


def _sql(cursor, label, sql, params=None, timings=None):
    t0 = time.perf_counter()
    cursor.execute(sql, params)
    rows = cursor.rowcount
    if timings is not None:
        timings[label] = (rows, time.perf_counter() - t0)
    return rows


def rating_counts(companies: int, ratings: int) -> list[int]:
    """Owners' ratings per company: 6 for every 40th, the rest shared evenly."""
    thin = [i for i in range(companies) if i % THIN_EVERY == 0]
    rest = companies - len(thin)
    left = max(ratings - THIN_RATINGS * len(thin), rest)
    base, extra = divmod(left, rest)
    counts, j = [], 0
    for i in range(companies):
        if i % THIN_EVERY == 0:
            counts.append(THIN_RATINGS)
        else:
            counts.append(base + (1 if j < extra else 0))
            j += 1
    return counts


def build(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from communities.models import Area, AreaKind
    from governance.models import StaffRole
    from governance.tree import tree_insert
    from properties.checklist import CHECKLIST
    from properties.services_ratings import period_create, period_open

    timings: dict = {}
    t0 = time.perf_counter()
    admin = get_user_model().objects.create_user(ADMIN, password="bench-only-password-1")
    district = tree_insert(Area(kind=AreaKind.DISTRICT, name="基准区", code=DISTRICT_CODE), parent=None)
    StaffRole.objects.create(user=admin, area=district, role=StaffRole.Role.DISTRICT_ADMIN)
    streets = [tree_insert(Area(kind=AreaKind.STREET, name=f"基准街道{s + 1}", code=f"PB-S{s + 1}"), parent=district)
               for s in range(args.streets)]
    communities = [
        tree_insert(Area(kind=AreaKind.COMMUNITY, name=f"基准社区{c + 1}", code=f"PB-C{c + 1}"),
                    parent=streets[c % len(streets)])
        for c in range(args.communities)
    ]
    timings["district, streets, communities (ORM)"] = (1 + len(streets) + len(communities), time.perf_counter() - t0)
    community_ids = [c.pk for c in communities]
    counts = rating_counts(args.companies, args.ratings)
    now = timezone.now()
    today = timezone.localdate(now)
    year, half = today.year, 1 if today.month <= 6 else 2
    item_sql = ", ".join(
        f"'{item.code}', least({item.max_points}, {item.max_points // 2} + floor(random() * {item.max_points // 2 + 2}))::int"
        for item in CHECKLIST
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        _sql(cursor, "compounds", """
            INSERT INTO communities_area (kind, name, code, parent_id, path, depth, address, households,
                                          is_old_compound, created_at, updated_at)
            SELECT 'compound', '基准小区' || n, 'PB-X' || n, (%(communities)s::int[])[1 + n %% %(nc)s],
                   'tmp-' || n, 4, '', 100, false, now(), now()
            FROM generate_series(0, %(n)s - 1) n
        """, {"communities": community_ids, "nc": len(community_ids), "n": args.companies}, timings)
        cursor.execute("""
            UPDATE communities_area a SET path = p.path || a.id || '/'
            FROM communities_area p WHERE a.parent_id = p.id AND a.path LIKE 'tmp-%%'
        """)
        _sql(cursor, "companies", """
            INSERT INTO properties_propertycompany (name, credit_code, area_id, address, contact_name,
                contact_phone, contact_email, is_active, created_at, updated_at)
            SELECT '基准物业' || lpad(n::text, 5, '0'), 'PB' || lpad(n::text, 16, '0'), %(district)s,
                   '', '', '', '', true, now(), now()
            FROM generate_series(0, %(n)s - 1) n
        """, {"district": district.pk, "n": args.companies}, timings)
        _sql(cursor, "service modes (company i serves compound i)", """
            INSERT INTO properties_servicemode (compound_id, kind, company_id, responsible_body, trust_charity,
                accounts_url, accounts_file, started_on, note, created_at)
            SELECT c.id, 'professional', co.id, '', '', '', '', %(started)s, '', now()
            FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM communities_area
                  WHERE code LIKE 'PB-X%%') c
            JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM properties_propertycompany
                  WHERE credit_code LIKE 'PB%%') co ON co.rn = c.rn
        """, {"started": datetime.date(year - 1, 1, 1)}, timings)
        _sql(cursor, "households (one per rating)", """
            INSERT INTO properties_household (compound_id, building, unit, room, code, is_active, created_at)
            SELECT c.id, (1 + k / 100)::text, '', (k %% 100 + 1)::text,
                   'PB' || lpad((c.ord * 100000 + k)::text, 12, '0'), true, now()
            FROM (SELECT sm.compound_id AS id, t.n, t.ord
                  FROM unnest(%(counts)s::int[]) WITH ORDINALITY AS t(n, ord)
                  JOIN (SELECT compound_id, row_number() OVER (ORDER BY company_id) rn
                        FROM properties_servicemode) sm ON sm.rn = t.ord) c
            CROSS JOIN LATERAL generate_series(0, c.n - 1) k
        """, {"counts": counts}, timings)
    t0 = time.perf_counter()
    period = period_create(actor=admin, district=district, year=year, half=half,
                           opens_at=now - datetime.timedelta(days=10), closes_at=now + datetime.timedelta(days=20))
    period = period_open(actor=admin, period=period)
    timings["period (period_create, period_open)"] = (1, time.perf_counter() - t0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.7)")
        _sql(cursor, "owners' ratings", """
            INSERT INTO properties_ownerrating (period_id, household_id, company_id, compound_id, service,
                cleanliness, security, maintenance, transparency, score, comment, submitted_at, times_replaced)
            SELECT %(period)s, id, company_id, compound_id, a1, a2, a3, a4, a5, (a1 + a2 + a3 + a4 + a5) * 4, '',
                   %(now)s - (id %% 240) * interval '1 hour', 0
            FROM (SELECT h.id, sm.company_id, h.compound_id,
                         least(5, greatest(1, round(5.4 - sm.q / 12.0 - random() * 2)))::int a1,
                         least(5, greatest(1, round(5.4 - sm.q / 12.0 - random() * 2)))::int a2,
                         least(5, greatest(1, round(5.4 - sm.q / 12.0 - random() * 2)))::int a3,
                         least(5, greatest(1, round(5.4 - sm.q / 12.0 - random() * 2)))::int a4,
                         least(5, greatest(1, round(5.4 - sm.q / 12.0 - random() * 2)))::int a5
                  FROM properties_household h
                  JOIN (SELECT compound_id, company_id, company_id %% 30 AS q FROM properties_servicemode) sm
                    ON sm.compound_id = h.compound_id) x
        """, {"period": period.pk, "now": now}, timings)
        _sql(cursor, "organisation reviews", f"""
            INSERT INTO properties_orgreview (period_id, company_id, area_id, score, note, reviewed_at)
            SELECT %(period)s, sm.company_id, a.parent_id, round((95 - sm.company_id %% 30 - random() * 8)::numeric, 1),
                   '', %(now)s
            FROM properties_servicemode sm JOIN communities_area a ON a.id = sm.compound_id
            WHERE sm.company_id %% {NO_REVIEW_EVERY} <> 1
        """, {"period": period.pk, "now": now}, timings)
        _sql(cursor, "inspections (1 or 2 per company)", f"""
            INSERT INTO properties_inspection (period_id, company_id, compound_id, items, score, inspected_on,
                note, created_at)
            SELECT %(period)s, company_id, compound_id, items,
                   (SELECT sum(value::int) FROM jsonb_each_text(items)), %(day)s, '', %(now)s
            FROM (SELECT sm.company_id, sm.compound_id, jsonb_build_object({item_sql}) AS items
                  FROM properties_servicemode sm CROSS JOIN generate_series(1, 2) k
                  WHERE k = 1 OR sm.company_id %% 2 = 0) x
        """, {"period": period.pk, "now": now, "day": today}, timings)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["VACUUM ANALYZE"] = (None, time.perf_counter() - t0)
    return timings


# --- a) closing ------------------------------------------------------------------------


def snapshot(period):
    from properties.models import RatingResult

    return sorted(RatingResult.objects.filter(period=period).values_list(
        "company_id", "owner_count", "owner_score", "review_score", "inspection_score", "total", "stars",
        "status", "rank"))


def measure_close(args, table: Measurements):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count

    from properties import services_ratings as services
    from properties.models import PeriodStatus, RatingPeriod, RatingResult

    admin = get_user_model().objects.get(username=ADMIN)
    period = RatingPeriod.objects.get(district__code=DISTRICT_CODE)
    if period.status == PeriodStatus.CLOSED:  # --reuse
        RatingPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.OPEN, closed_at=None)
    t0 = time.perf_counter()
    services.period_close(actor=admin, period=period)
    first = time.perf_counter() - t0
    rows = snapshot(period)
    by_status = dict(RatingResult.objects.filter(period=period).values_list("status").annotate(n=Count("id")))
    print(f"\na) the first period_close: {first * 1000:,.0f} ms for {len(rows):,} results {by_status}")

    def reopen_and_close():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE properties_ratingperiod SET status = 'open', closed_at = NULL WHERE id = %s",
                           [period.pk])
        return services.period_close(actor=admin, period=period)

    def count(_period):
        return RatingResult.objects.filter(period=period).count()

    table.add("a close", "period_close (re-opened by SQL before each run)", reopen_and_close, rows_of=count)
    table.add("a close", "period_recompute (the second run)", lambda: services.period_recompute(
        actor=admin, period=period), rows_of=count)
    assert snapshot(period) == rows, "recomputing changed the results"
    print("  recomputed and re-closed results are identical to the first close's; no duplicates")
    list_queries("period_recompute", lambda: services.period_recompute(actor=admin, period=period))
    explain("period_recompute's owners' aggregate", lambda: services.period_recompute(actor=admin, period=period),
            match='FROM "properties_ownerrating"')
    return period, admin


def list_queries(title: str, run) -> None:
    """The queries ``run()`` sends, slowest first, with their times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        run()
        total = (time.perf_counter() - t0) * 1000
    timed = sorted(((float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries), reverse=True)
    print(f"\n{title}: {total:.0f} ms, {len(timed)} queries, {sum(ms for ms, _sql in timed):.0f} ms in SQL")
    for ms, sql in timed[:8]:
        print(f"  {ms:8.1f} ms  {sql[:140]}{'…' if len(sql) > 140 else ''}")


# --- b) the published results ------------------------------------------------------------


def measure_results(period, admin, table: Measurements) -> None:
    from django.core.management import call_command
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from properties.selectors_ratings import period_results

    # DEBUG is off: pages need the static files' manifest (collected into the run's VAR_DIR).
    call_command("collectstatic", "--noinput", verbosity=0)
    table.add("b ORM", "list(period_results(period)[:50])", lambda: list(period_results(period)[:50]))
    table.add("b ORM", "period_results(period).count()", lambda: period_results(period).count(),
              rows_of=lambda n: n)
    client = Client()
    client.force_login(admin)

    def get(url, params=None, *, json=True):
        def run():
            response = client.get(url, params or {}, secure=True)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            return response.json() if json else response.content
        return run

    table.add("b API", "rating-periods/<id>/results/?page_size=50",
              get(f"/api/v1/rating-periods/{period.pk}/results/", {"page_size": 50}),
              rows_of=lambda body: len(body["results"]))
    table.add("b API", "rating-results/?period=<id>&page_size=50",
              get("/api/v1/rating-results/", {"period": period.pk, "page_size": 50}),
              rows_of=lambda body: len(body["results"]))
    table.add("b page", "staff: /properties/periods/<id>/ (results page 1)",
              get(reverse("property-period-detail", args=[period.pk]), json=False), rows_of=len)
    try:
        public = reverse("property-results-period", args=[period.pk])
    except NoReverseMatch:
        print("  the public results page (property-results-period) does not exist: not measured")
    else:
        anonymous = Client()

        def public_page():
            response = anonymous.get(public, secure=True)
            assert response.status_code == 200, (public, response.status_code)
            return response.content

        table.add("b page", f"public: {public} (page 1 of 100 rows, no login)", public_page, rows_of=len)
    explain("the results' first page (period_results(period)[:50])", lambda: list(period_results(period)[:50]))


# --- main --------------------------------------------------------------------------------


def main() -> None:
    args = parse_args()
    db = configure_environment(DEFAULT_DATABASE_URL, script="property_bench")
    started = time.perf_counter()

    import django

    if not args.reuse:
        recreate_database(db)
    django.setup()
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    print(f"migrate: {time.perf_counter() - t0:.1f} s")
    print(describe_database())
    if not args.reuse:
        print(f"building: {args.companies:,} companies, {args.ratings:,} owners' ratings")
        for label, (rows, seconds) in build(args).items():
            print(f"  {label}: {'' if rows is None else f'{rows:,} rows, '}{seconds:.1f} s")
    table = Measurements(args.repeat)
    period, admin = measure_close(args, table)
    measure_results(period, admin, table)
    table.print()
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())

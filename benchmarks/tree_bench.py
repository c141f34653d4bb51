#!/usr/bin/env python
"""Subtree reads on a territory tree of ~100,000 nodes, on PostgreSQL.

    .venv/bin/python benchmarks/tree_bench.py            # DATABASE_URL or the default below
    .venv/bin/python benchmarks/tree_bench.py --reuse    # keep the tree of the last run

It (re)creates its own database (default ``gov_bench``; the name must contain
"bench"), migrates it, builds 1 district → 20 streets → 200 communities → 2,000
grids → 20,000 compounds → 80,000 buildings with ``communities.bulk``, party
organisations over it (街道党工委 → 社区党组织 → a 小区党支部 for 80 % of the
compounds, each with a secretary), and then times, median of ``--repeat`` runs:

a) ``Area.objects.within(street)``: count, and fetching the ids;
b) ``GET /api/v1/areas/?within=<street>&page_size=50|500`` through Django's test
   client, logged in (session) as a superuser and as the street's staff, with the
   number of SQL queries per request;
c) the same rows with raw SQL (``path LIKE '/1/5/%' ORDER BY path LIMIT n``);
d) ``area_coverage`` for a street and for the whole district;

and prints the plans (EXPLAIN ANALYZE) of the subtree queries. See README.md.
"""

from __future__ import annotations

import argparse
import sys
import time

from _common import (
    Measurements,
    configure_environment,
    describe_database,
    explain,
    fresh,
    recreate_database,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gov_bench"
BENCH_ROOT_CODE = "BENCH-D"
PASSWORD = "bench-only-password-1"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--streets", type=int, default=20)
    p.add_argument("--communities", type=int, default=10, help="per street")
    p.add_argument("--grids", type=int, default=10, help="per community")
    p.add_argument("--compounds", type=int, default=10, help="per grid")
    p.add_argument("--buildings", type=int, default=4, help="per compound")
    p.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (after one warm-up)")
    p.add_argument("--reuse", action="store_true", help="reuse the database and tree of a previous run")
    p.add_argument("--explain-coverage", action="store_true", help="also EXPLAIN the coverage query")
    p.add_argument("--no-validate", action="store_true", help="skip the Python-side checks when building")
    return p.parse_args()


# --- Building the tree ------------------------------------------------------------------


def build_tree(args) -> dict:
    from django.contrib.auth import get_user_model

    from communities import bulk
    from communities.models import Area, AreaKind, Person
    from governance.models import StaffRole
    from partyorgs.models import HierarchyScheme, PartyOrganisation, Post
    from partyorgs.schemes import FENYI

    validate = not args.no_validate
    timings = {}

    t0 = time.perf_counter()
    district = Area(kind=AreaKind.DISTRICT, name="基准区", code=BENCH_ROOT_CODE)
    nodes = [district]
    streets, communities, compounds = [], [], []
    for s in range(1, args.streets + 1):
        street = Area(kind=AreaKind.STREET, name=f"第{s}街道", code=f"B-S{s:02d}", parent=district)
        nodes.append(street)
        streets.append(street)
        for c in range(1, args.communities + 1):
            community = Area(kind=AreaKind.COMMUNITY, name=f"{s}-{c}社区", code=f"{street.code}-C{c:02d}",
                             parent=street)
            nodes.append(community)
            communities.append(community)
            for g in range(1, args.grids + 1):
                grid = Area(kind=AreaKind.GRID, name=f"{s}-{c}-{g}网格", code=f"{community.code}-G{g:02d}",
                            parent=community)
                nodes.append(grid)
                for k in range(1, args.compounds + 1):
                    compound = Area(
                        kind=AreaKind.COMPOUND, name=f"{s}-{c}-{g}-{k}小区", code=f"{grid.code}-K{k:02d}",
                        parent=grid, is_old_compound=k % 3 == 0, build_year=1980 + (s * 7 + k) % 40,
                        households=50 + (c * 13 + k) % 400,
                    )
                    nodes.append(compound)
                    compounds.append(compound)
                    for b in range(1, args.buildings + 1):
                        nodes.append(Area(kind=AreaKind.BUILDING, name=f"{b}栋", code=f"{compound.code}-B{b}",
                                          parent=compound))
    bulk.insert_areas(nodes, validate=validate)
    timings["areas"] = (len(nodes), time.perf_counter() - t0)

    t0 = time.perf_counter()
    scheme = HierarchyScheme.objects.get(code=FENYI)
    orgs = []
    street_orgs = {}
    for street in streets:
        street_orgs[street.pk] = PartyOrganisation(scheme=scheme, level=1, name=f"{street.name}党工委",
                                                   covered_area=street)
        orgs.append(street_orgs[street.pk])
    community_orgs = {}
    for community in communities:
        org = PartyOrganisation(scheme=scheme, level=2, name=f"{community.name}党委", covered_area=community,
                                parent=street_orgs[community.parent.pk])
        community_orgs[community.pk] = org
        orgs.append(org)
    branches = []
    for i, compound in enumerate(compounds):
        if i % 5 == 4:  # 80 % of the compounds have a party branch
            continue
        community = compound.parent.parent
        org = PartyOrganisation(scheme=scheme, level=3, name=f"{compound.name}党支部", covered_area=compound,
                                parent=community_orgs[community.pk])
        orgs.append(org)
        branches.append(org)
    bulk.insert_party_orgs(orgs, validate=validate)
    timings["party orgs"] = (len(orgs), time.perf_counter() - t0)

    t0 = time.perf_counter()
    people, posts = [], []
    start = __import__("datetime").date(2023, 1, 1)
    cadres = {}
    for org in orgs:
        if org.level == 3 and org.parent.pk in cadres and org.covered_area.code.endswith("-K01"):
            # The community secretary also leads the first compound's branch (多头兼任).
            person, resident, cadre = cadres[org.parent.pk], False, True
        else:
            person = Person(name=f"书记{len(people) + 1:06d}", area=org.covered_area)
            people.append(person)
            resident, cadre = org.level == 3, org.level == 2
            if org.level == 2:
                cadres[org.pk] = person
        posts.append((org, person, resident, cadre))
    bulk.insert_people(people, validate=validate)
    bulk.insert_posts(
        [Post(organisation=org, person=person, role="secretary", started_on=start,
              lives_in_unit=resident, is_community_cadre=cadre)
         for org, person, resident, cadre in posts],
        validate=validate,
    )
    timings["people + posts"] = (len(people) + len(posts), time.perf_counter() - t0)

    User = get_user_model()
    User.objects.create_superuser("bench-root", password=PASSWORD)
    street = streets[len(streets) // 4]
    street_user = User.objects.create_user("bench-street", password=PASSWORD)
    StaffRole.objects.create(user=street_user, area=street, role=StaffRole.Role.STREET_STAFF)

    t0 = time.perf_counter()
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("communities_area", "partyorgs_partyorganisation", "partyorgs_post", "communities_person"):
            # VACUUM too, as autovacuum would soon: the path UPDATE after each bulk
            # insert leaves a dead version of every row, and index-only scans need
            # the visibility map. Without it, timings depend on when autovacuum runs.
            cursor.execute(f"VACUUM ANALYZE {table}")
    timings["VACUUM ANALYZE"] = (None, time.perf_counter() - t0)
    return timings


# --- Measuring ----------------------------------------------------------------------------


API_COLUMNS = (
    "id, kind, name, code, parent_id, path, depth, address, latitude, longitude, households, "
    "is_old_compound, build_year, created_at, updated_at"
)


def measure(args) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from communities.models import Area, AreaKind
    from partyorgs.models import PartyOrganisation
    from partyorgs.selectors import area_coverage

    User = get_user_model()
    district = Area.objects.get(code=BENCH_ROOT_CODE)
    street_user = User.objects.get(username="bench-street")
    street = street_user.staff_roles.get().area
    superuser = User.objects.get(username="bench-root")
    subtree_size = Area.objects.within(street).count()

    table = Measurements(args.repeat)
    add = table.add

    # a) ORM
    add("a ORM", "within(street).count()", lambda: Area.objects.within(street).count(), rows_of=lambda n: n)
    ids = add("a ORM", "within(street) ids", lambda: list(Area.objects.within(street).values_list("id", flat=True)))
    assert len(ids) == subtree_size
    add("a ORM", "visible_to(street staff).within(street).count()",
        lambda: Area.objects.visible_to(fresh(street_user)).within(street).count(), rows_of=lambda n: n)
    add("a ORM", "within(street) compounds, kind filter",
        lambda: list(Area.objects.within(street).filter(kind=AreaKind.COMPOUND).values_list("id", flat=True)))

    # b) API, session-authenticated like a browser
    api_ids = {}
    for label, user in (("superuser", superuser), ("street staff", street_user)):
        client = Client()
        client.force_login(user)
        for page_size in (50, 500):
            def get(client=client, page_size=page_size):
                response = client.get(
                    "/api/v1/areas/", {"within": street.pk, "page_size": page_size},
                    HTTP_ACCEPT="application/json", secure=True,
                )
                assert response.status_code == 200, (response.status_code, response.content[:300])
                return response.json()

            body = add("b API", f"areas?within=street&page_size={page_size} ({label})", get,
                       rows_of=lambda b: len(b["results"]))
            assert body["count"] == subtree_size, body["count"]
            api_ids[(label, page_size)] = [r["id"] for r in body["results"]]

        def coverage(client=client):
            response = client.get(f"/api/v1/areas/{street.pk}/coverage/", HTTP_ACCEPT="application/json",
                                  secure=True)
            assert response.status_code == 200, response.status_code
            return response.json()

        add("b API", f"areas/<street>/coverage/ ({label})", coverage, rows_of=lambda b: 1)

    # c) raw SQL for the same rows
    prefix = street.path + "%"

    def raw(limit):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {API_COLUMNS} FROM communities_area WHERE path LIKE %s ORDER BY path LIMIT %s",
                    [prefix, limit],
                )
                return cursor.fetchall()
        return run

    def raw_count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM communities_area WHERE path LIKE %s", [prefix])
            return cursor.fetchone()[0]

    add("c raw SQL", "count(*) WHERE path LIKE", raw_count, rows_of=lambda n: n)
    for limit in (50, 500):
        result = add("c raw SQL", f"SELECT ... LIKE ORDER BY path LIMIT {limit}", raw(limit))
        same = [r[0] for r in result] == api_ids[("superuser", limit)] == api_ids[("street staff", limit)]
        assert same, f"raw SQL and API rows differ for LIMIT {limit}"

    # d) coverage
    add("d coverage", "area_coverage(street)", lambda: area_coverage(street), rows_of=lambda c: c.compounds)
    add("d coverage", "area_coverage(district)", lambda: area_coverage(district), rows_of=lambda c: c.compounds)
    street_cov, district_cov = area_coverage(street), area_coverage(district)

    table.print()
    print(f"\nstreet {street.name} (id {street.pk}, path {street.path}): {subtree_size} nodes in its subtree")
    print(f"coverage street:   {street_cov.compounds_covered}/{street_cov.compounds} compounds = "
          f"{street_cov.compound_rate}, concurrent secretaries {street_cov.concurrent_secretaries}")
    print(f"coverage district: {district_cov.compounds_covered}/{district_cov.compounds} compounds = "
          f"{district_cov.compound_rate}, secretaries {district_cov.secretaries}, "
          f"concurrent {district_cov.concurrent_secretaries}")
    print(f"rows: {Area.objects.count()} areas, {PartyOrganisation.objects.count()} party orgs")

    # Plans
    explain("subtree ids: Area.objects.within(street).values_list('id')",
            lambda: list(Area.objects.within(street).values_list("id", flat=True)))
    explain("subtree page: within(street).order_by('path')[:50], as the API pages",
            lambda: list(Area.objects.within(street).order_by("path")[:50]))
    explain("scoped count: visible_to(street staff).within(street).count(), as the API counts",
            lambda: Area.objects.visible_to(fresh(street_user)).within(street).count())
    if args.explain_coverage:
        explain("area_coverage(district), compounds (1st of its 3 queries)",
                lambda: area_coverage(district), index=0)


def main() -> None:
    args = parse_args()
    db = configure_environment(DEFAULT_DATABASE_URL, script="tree_bench")
    started = time.perf_counter()

    import django

    if not args.reuse:
        recreate_database(db)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from communities.models import Area

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    migrate_s = time.perf_counter() - t0

    print(describe_database())

    if args.reuse and Area.objects.filter(code=BENCH_ROOT_CODE).exists():
        print("reusing the tree of a previous run")
    else:
        if args.reuse:
            sys.exit("--reuse: no bench tree in this database; run without --reuse first")
        print(f"migrate: {migrate_s:.1f} s")
        timings = build_tree(args)
        total = 0.0
        print("\nBuild (communities.bulk, validate=%s)" % (not args.no_validate))
        for what, (n, seconds) in timings.items():
            total += seconds
            rate = f"  {n / seconds:,.0f} rows/s" if n else ""
            print(f"  {what:<16} {'' if n is None else f'{n:>8,} rows'}  {seconds:6.1f} s{rate}")
        print(f"  {'total':<16} {'':>13}  {total:6.1f} s")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(collation_name, '(database default)') FROM information_schema.columns "
            "WHERE table_name = 'communities_area' AND column_name = 'path'"
        )
        print(f"communities_area.path collation: {cursor.fetchone()[0]}")

    measure(args)
    print(f"\ntotal runtime {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

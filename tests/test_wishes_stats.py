"""Statistics of micro-wishes (三率) on a hand-built data set with a controlled clock.

Every expected figure below is worked out by hand from the table in ``dataset``.
"""

import datetime

import pytest
from django.db import connection

from wishes import services
from wishes.selectors import WishStats, _ranked, wish_stats

from .conftest import T0
from .factories import make_area, submit_wish

pytestmark = pytest.mark.django_db

FROM, TO = datetime.date(2026, 3, 2), datetime.date(2026, 3, 8)
NOW = T0 + datetime.timedelta(days=6, hours=8)  # 2026-03-09 01:00 in Shanghai

MEDIAN_MODES = [
    pytest.param(False, id="python-medians"),
    pytest.param(
        True, id="sql-medians",
        marks=pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's"),
    ),
]


@pytest.fixture
def dataset(tree, staff, clock):
    """T0 = 2026-03-02 17:00 Shanghai; the period is 03-02 … 03-08; hours are from T0.

    ====  ==============  ========  ========  =========  =====  ======================
    wish  compound        submitted accepted  resolved   rating other
    ====  ==============  ========  ========  =========  =====  ======================
    W1    compound        0         2         10         5
    W2    compound        0         30 (late) 50         3      was overdue
    W3    compound        0         4         20         4
    W4    compound        0         –         –          –      rejected at 1
    W5    compound        0         –         –          –      waiting, overdue now
    W6    compound        1         6         –          –      open, not yet due
    W7    other compound  0         1         5          5
    W8    other compound  0         1         9          1
    W9    other compound  0         –         –          –      withdrawn at 2
    W10   other compound  150.5     –         –          –      03-08 23:30, not yet due
    W11   compound        -24       -24       -23        5      03-01: outside
    W12   other compound  151       –         –          –      03-09 00:00: outside
    ====  ==============  ========  ========  =========  =====  ======================
    "Now" is hour 152 (03-09 01:00).
    """
    here, there = tree.compound, tree.other_compound
    cs, ocs = staff.community_staff, staff.other_community_staff
    w = {}

    def at(hours):
        clock.current = T0 + datetime.timedelta(hours=hours)

    def submit(key, compound):
        w[key] = submit_wish(tree, compound=compound)

    at(-24)
    submit("W11", here)
    services.wish_accept(wish=w["W11"], actor=cs)
    at(-23)
    services.wish_resolve(wish=w["W11"], actor=cs, note="ok")
    services.wish_rate(wish=w["W11"], rating=5)
    at(0)
    for key in ("W1", "W2", "W3", "W4", "W5"):
        submit(key, here)
    for key in ("W7", "W8", "W9"):
        submit(key, there)
    at(1)
    services.wish_reject(wish=w["W4"], actor=cs, reason="duplicate")
    submit("W6", here)
    services.wish_accept(wish=w["W7"], actor=ocs)
    services.wish_accept(wish=w["W8"], actor=ocs)
    at(2)
    services.wish_accept(wish=w["W1"], actor=cs)
    services.wish_withdraw(wish=w["W9"])
    at(4)
    services.wish_accept(wish=w["W3"], actor=cs)
    at(5)
    services.wish_resolve(wish=w["W7"], actor=ocs, note="ok")
    at(6)
    services.wish_accept(wish=w["W6"], actor=cs)
    services.wish_rate(wish=w["W7"], rating=5)
    at(9)
    services.wish_resolve(wish=w["W8"], actor=ocs, note="ok")
    at(10)
    services.wish_resolve(wish=w["W1"], actor=cs, note="ok")
    services.wish_rate(wish=w["W8"], rating=1)
    at(11)
    services.wish_rate(wish=w["W1"], rating=5)
    at(20)
    services.wish_resolve(wish=w["W3"], actor=cs, note="ok")
    at(21)
    services.wish_rate(wish=w["W3"], rating=4)
    at(30)
    services.wish_accept(wish=w["W2"], actor=cs)
    at(50)
    services.wish_resolve(wish=w["W2"], actor=cs, note="ok")
    at(51)
    services.wish_rate(wish=w["W2"], rating=3)
    at(150.5)
    submit("W10", there)
    at(151)
    submit("W12", there)
    clock.current = NOW
    return w


ALL_TEN = {
    "count": 10, "accepted": 6, "accepted_on_time": 5, "response_base": 7, "response_rate": 0.7143,
    "resolved": 5, "resolution_base": 8, "resolution_rate": 0.625,
    "rated": 5, "satisfied": 3, "satisfaction_rate": 0.6, "overdue": 2,
    "median_accept_hours": 3.0,  # 1 1 2 | 4 5 30
    "median_resolve_hours": 10.0,  # 5 9 10 20 50
}
COMMUNITY = {  # W1–W6
    "count": 6, "accepted": 4, "accepted_on_time": 3, "response_base": 5, "response_rate": 0.6,
    "resolved": 3, "resolution_base": 5, "resolution_rate": 0.6,
    "rated": 3, "satisfied": 2, "satisfaction_rate": 0.6667, "overdue": 2,
    "median_accept_hours": 4.5,  # 2 4 | 5 30
    "median_resolve_hours": 20.0,  # 10 20 50
}
OTHER_COMMUNITY = {  # W7–W10
    "count": 4, "accepted": 2, "accepted_on_time": 2, "response_base": 2, "response_rate": 1.0,
    "resolved": 2, "resolution_base": 3, "resolution_rate": 0.6667,
    "rated": 2, "satisfied": 1, "satisfaction_rate": 0.5, "overdue": 0,
    "median_accept_hours": 1.0,
    "median_resolve_hours": 7.0,
}
EMPTY = {
    "count": 0, "accepted": 0, "accepted_on_time": 0, "response_base": 0, "response_rate": None,
    "resolved": 0, "resolution_base": 0, "resolution_rate": None,
    "rated": 0, "satisfied": 0, "satisfaction_rate": None, "overdue": 0,
    "median_accept_hours": None, "median_resolve_hours": None,
}


@pytest.mark.parametrize("sql_medians", MEDIAN_MODES)
def test_the_street_and_its_communities_ranked(tree, dataset, sql_medians):
    result = wish_stats(tree.street, FROM, TO, sql_medians=sql_medians)
    assert result.totals.as_dict() == ALL_TEN
    assert [(c.rank, c.area.pk) for c in result.children] == [
        (1, tree.community.pk),  # satisfaction 0.6667
        (2, tree.other_community.pk),  # satisfaction 0.5
    ]
    assert result.children[0].stats.as_dict() == COMMUNITY
    assert result.children[1].stats.as_dict() == OTHER_COMMUNITY
    assert result.as_of == NOW


@pytest.mark.parametrize("sql_medians", MEDIAN_MODES)
def test_other_levels_of_the_tree(tree, dataset, sql_medians):
    district = wish_stats(tree.district, FROM, TO, sql_medians=sql_medians)
    assert district.totals.as_dict() == ALL_TEN
    assert [(c.rank, c.area.pk) for c in district.children] == [(1, tree.street.pk), (2, tree.other_street.pk)]
    assert district.children[0].stats.as_dict() == ALL_TEN
    assert district.children[1].stats.as_dict() == EMPTY

    community = wish_stats(tree.community, FROM, TO, sql_medians=sql_medians)
    assert community.totals.as_dict() == COMMUNITY
    assert [c.area.pk for c in community.children] == [tree.grid.pk]
    assert community.children[0].stats.as_dict() == COMMUNITY

    compound = wish_stats(tree.compound, FROM, TO, sql_medians=sql_medians)
    assert compound.totals.as_dict() == COMMUNITY and compound.children == []


def test_the_period_is_in_local_dates(tree, dataset):
    # 03-01 17:00 (W11) and 03-09 00:00 (W12) are outside 03-02 … 03-08.
    assert wish_stats(tree.street, FROM, TO).totals.count == 10
    assert wish_stats(tree.street, datetime.date(2026, 3, 1), TO).totals.count == 11
    assert wish_stats(tree.street, FROM, datetime.date(2026, 3, 9)).totals.count == 11
    one_day = wish_stats(tree.street, datetime.date(2026, 3, 8), datetime.date(2026, 3, 8))
    assert one_day.totals.count == 1  # W10 at 23:30


def test_a_users_figures_cover_only_what_they_see(tree, staff, dataset):
    mine = wish_stats(tree.street, FROM, TO, user=staff.community_staff)
    assert mine.totals.as_dict() == COMMUNITY
    assert [c.area.pk for c in mine.children] == [tree.community.pk]
    theirs = wish_stats(tree.street, FROM, TO, user=staff.other_community_staff)
    assert theirs.totals.as_dict() == OTHER_COMMUNITY
    assert [c.area.pk for c in theirs.children] == [tree.other_community.pk]
    assert wish_stats(tree.street, FROM, TO, user=staff.street_staff).totals.as_dict() == ALL_TEN


@pytest.mark.parametrize("sql_medians", MEDIAN_MODES)
def test_one_query_for_all_children(tree, staff, clock, django_assert_max_num_queries, sql_medians):
    from communities.models import AreaKind

    for n in range(12):
        community = make_area(AreaKind.COMMUNITY, tree.street, name=f"社区{n:02d}")
        compound = make_area(AreaKind.COMPOUND, community)
        wish = submit_wish(tree, compound=compound)
        clock.advance(hours=n)
        services.wish_accept(wish=wish, actor=staff.superuser)
    with django_assert_max_num_queries(4):  # totals, children, grouped figures (+ timestamps)
        result = wish_stats(tree.street, FROM, TO, sql_medians=sql_medians)
    assert len(result.children) == 14
    assert result.totals.count == 12
    assert sorted(c.stats.median_accept_hours for c in result.children if c.stats.count) == list(
        map(float, range(12))
    )


def test_ranking_ties_share_a_rank_and_missing_rates_come_last():
    from types import SimpleNamespace

    def node(pk, name):
        return SimpleNamespace(pk=pk, name=name)

    rows = [
        (node(1, "a"), WishStats(rated=2, satisfied=1, resolution_base=4, resolved=2)),  # 0.5, 0.5
        (node(2, "b"), WishStats(rated=4, satisfied=2, resolution_base=4, resolved=4)),  # 0.5, 1.0
        (node(3, "c"), WishStats()),  # no figures
        (node(4, "d"), WishStats(resolution_base=2, resolved=2)),  # no rating, 1.0
        (node(5, "e"), WishStats(rated=2, satisfied=1, resolution_base=2, resolved=1)),  # 0.5, 0.5
        (node(6, "f"), WishStats(rated=1, satisfied=1)),  # 1.0, none
    ]
    ranked = [(c.area.pk, c.rank) for c in _ranked(rows)]
    assert ranked == [(6, 1), (2, 2), (1, 3), (5, 3), (4, 5), (3, 6)]


# --- through the API ------------------------------------------------------------------


def test_stats_endpoint(tree, staff, api, dataset):
    response = api(staff.street_staff).get(
        "/api/v1/wishes/stats/", {"within": tree.street.pk, "from": "2026-03-02", "to": "2026-03-08"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["area"] == {"id": tree.street.pk, "name": "海棠街道", "kind": "street"}
    assert (body["date_from"], body["date_to"]) == ("2026-03-02", "2026-03-08")
    assert body["totals"] == ALL_TEN
    assert [(c["rank"], c["area"]["name"]) for c in body["children"]] == [(1, "府街社区"), (2, "柏杨社区")]
    assert body["children"][0]["stats"] == COMMUNITY
    mine = api(staff.community_staff).get(
        "/api/v1/wishes/stats/", {"within": tree.street.pk, "from": "2026-03-02", "to": "2026-03-08"}
    ).json()
    assert mine["totals"] == COMMUNITY and len(mine["children"]) == 1


def test_stats_endpoint_defaults_and_errors(tree, staff, api, dataset):
    client = api(staff.street_staff)
    # Now is 03-09 01:00 local: the default period is 03-01 … 03-09, all twelve wishes.
    body = client.get("/api/v1/wishes/stats/", {"within": tree.street.pk}).json()
    assert (body["date_from"], body["date_to"]) == ("2026-03-01", "2026-03-09")
    assert body["totals"]["count"] == 12
    assert client.get("/api/v1/wishes/stats/").status_code == 400
    bad = client.get("/api/v1/wishes/stats/", {"within": tree.street.pk, "from": "2026-03-09", "to": "2026-03-01"})
    assert bad.status_code == 400 and "from" in bad.json()
    assert client.get("/api/v1/wishes/stats/", {"within": tree.street.pk, "from": "March"}).status_code == 400

"""三覆盖: each compound covered by a party organisation (its own or its grid's), an
active committee and a current property service; totals, roll-ups per child node,
the missing lists, constant queries, and who may ask (read scope) in the API and pages."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import AreaKind
from partyorgs.schemes import LESHAN
from properties.selectors_coverage import three_coverage, three_coverage_totals

from .factories import UserFactory, make_area, make_org
from .property_factories import make_committee, make_company, make_company_staff, make_mode

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def scene(tree, orgs):
    """Four compounds under the street:

    * 桂花小区 (community, in the grid): party org of its grid, committee, service → all three;
    * 柏杨小区 (other community): committee, service; only the community's own party
      committee above it, which does not count → missing the party organisation;
    * 银杏小区 (other community): its own party org and a service; its committee was
      dissolved → missing the committee;
    * 枫林小区 (community): own party org, committee; its service mode ended → missing service.
    """
    ginkgo = make_area(AreaKind.COMPOUND, tree.other_community, name="银杏小区")
    maple = make_area(AreaKind.COMPOUND, tree.community, name="枫林小区")
    make_org(LESHAN, 2, parent=orgs["other_committee"], area=ginkgo, name="银杏小区党支部")
    make_org(LESHAN, 2, parent=orgs["committee"], area=maple, name="枫林小区党支部")
    company = make_company(tree.street)
    make_committee(tree.community, [tree.compound, maple])
    make_committee(tree.other_community, [tree.other_compound])
    make_committee(tree.other_community, [ginkgo], dissolved_on=datetime.date(2025, 6, 1))
    make_mode(tree.compound, company=company)
    make_mode(tree.other_compound, kind="fallback")
    make_mode(ginkgo, kind="trust", company=company)
    make_mode(maple, company=company, started_on=datetime.date(2023, 1, 1), ended_on=datetime.date(2025, 12, 31))
    return {"ginkgo": ginkgo, "maple": maple, "company": company}


def figures(row):
    return (row.compounds, row.with_party_org, row.with_committee, row.with_service, row.all_three)


def test_it_counts_the_three_coverages_of_a_street(tree, staff, scene):
    result = three_coverage(staff.street_staff, tree.street)
    assert figures(result.totals) == (4, 3, 3, 3, 1)
    assert result.totals.party_org_share == Decimal("75.0")
    assert result.totals.all_three_share == Decimal("25.0")
    assert result.rows_are_compounds is False
    rows = {row.area.pk: figures(row) for row in result.rows}
    assert rows == {tree.community.pk: (2, 2, 2, 1, 1), tree.other_community.pk: (2, 1, 1, 2, 0)}


def test_it_lists_the_compounds_missing_each_of_the_three_with_their_community(tree, staff, scene):
    result = three_coverage(staff.street_staff, tree.street)
    party, committee, service = result.missing_party_org, result.missing_committee, result.missing_service
    assert [(c.name, c.community.name) for c in party.compounds] == [("柏杨小区", "柏杨社区")]
    assert [(c.name, c.community.name) for c in committee.compounds] == [("银杏小区", "柏杨社区")]
    assert [(c.name, c.community.name) for c in service.compounds] == [("枫林小区", "府街社区")]
    assert (party.count, committee.count, service.count) == (1, 1, 1)


def test_a_party_committee_of_the_community_does_not_cover_its_compounds(tree, staff, scene, orgs):
    # the rule of partyorgs.selectors: the compound's own organisation or its grid's only
    result = three_coverage(staff.street_staff, tree.other_community)
    by_name = {row.area.name: row for row in result.rows}
    assert by_name["柏杨小区"].with_party_org == 0
    assert by_name["银杏小区"].with_party_org == 1


def test_a_community_lists_its_compounds_one_by_one(tree, staff, scene):
    result = three_coverage(staff.community_staff, tree.community)
    assert result.rows_are_compounds is True
    assert [(row.area.name, figures(row)) for row in result.rows] == [
        ("枫林小区", (1, 1, 1, 0, 0)), ("桂花小区", (1, 1, 1, 1, 1)),
    ]
    assert result.rows[1].community == tree.community  # through the grid
    assert figures(result.totals) == (2, 2, 2, 1, 1)
    assert [c.name for c in result.missing_service.compounds] == ["枫林小区"]
    assert result.missing_party_org.count == 0


def test_the_district_rolls_up_per_street_and_an_empty_street_has_no_share(tree, staff, scene):
    result = three_coverage(staff.district_admin, tree.district)
    rows = {row.area.pk: row for row in result.rows}
    assert figures(rows[tree.street.pk]) == (4, 3, 3, 3, 1)
    assert figures(rows[tree.other_street.pk]) == (0, 0, 0, 0, 0)
    assert rows[tree.other_street.pk].all_three_share is None
    assert figures(three_coverage_totals(tree.district)) == (4, 3, 3, 3, 1)


def test_a_new_committee_and_service_complete_a_compound(tree, staff, scene):
    make_committee(tree.other_community, [scene["ginkgo"]])
    make_mode(scene["maple"], kind="self_managed")
    assert figures(three_coverage(staff.street_staff, tree.street).totals) == (4, 3, 4, 4, 3)


def test_the_missing_lists_are_capped_but_counted(tree, staff, scene):
    for n in range(5):
        make_area(AreaKind.COMPOUND, tree.other_community, name=f"新建小区{n}")
    result = three_coverage(staff.street_staff, tree.street, limit=3)
    assert result.missing_service.count == 6
    assert len(result.missing_service.compounds) == 3
    assert result.missing_service.truncated


def test_three_coverage_takes_the_same_queries_however_many_compounds(tree, staff, scene):
    user = staff.district_admin
    three_coverage(user, tree.district)  # caches the user's scope

    def count(area):
        with CaptureQueriesContext(connection) as ctx:
            three_coverage(user, area)
        return len(ctx.captured_queries)

    small_street, small_community = count(tree.district), count(tree.community)
    assert small_street <= 6
    for n in range(12):
        compound = make_area(AreaKind.COMPOUND, tree.community if n % 2 else tree.other_community, name=f"加{n}")
        if n % 3:
            make_mode(compound, kind="fallback")
    assert count(tree.district) == small_street
    assert count(tree.community) == small_community


def test_figures_about_a_street_are_not_for_its_community_staff(tree, staff, scene):
    with pytest.raises(Http404):
        three_coverage(staff.community_staff, tree.street)


# --- API ---------------------------------------------------------------------------------------


def url(area):
    return f"/api/v1/areas/{area.pk}/three-coverage/"


def test_api_reports_totals_rows_and_missing_lists(tree, staff, api, scene):
    response = api(staff.street_staff).get(url(tree.street))
    assert response.status_code == 200
    body = response.json()
    assert body["area"]["id"] == tree.street.pk
    assert body["totals"] == {
        "compounds": 4, "with_party_org": 3, "with_committee": 3, "with_service": 3, "all_three": 1,
        "party_org_share": 75.0, "committee_share": 75.0, "service_share": 75.0, "all_three_share": 25.0,
    }
    assert [row["area"]["name"] for row in body["rows"]] == ["府街社区", "柏杨社区"]
    missing = body["missing"]["committee"]
    assert missing["count"] == 1
    assert missing["compounds"] == [{"id": scene["ginkgo"].pk, "name": "银杏小区",
                                     "community": {"id": tree.other_community.pk, "name": "柏杨社区",
                                                   "kind": "community"}}]
    assert reverse("area-three-coverage", args=[tree.street.pk]) == url(tree.street)


@pytest.fixture
def company_user(scene):
    user = UserFactory(username="company-staff")
    make_company_staff(user, scene["company"])
    return user


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("superuser", 200), ("district_admin", 200), ("street_staff", 200), ("other_street_staff", 404),
        ("community_staff", 200), ("other_community_staff", 404), ("grid_secretary", 404),
        ("compound_secretary", 404), ("no_role", 403),
    ],
)
def test_api_three_coverage_of_a_community_at_every_staff_level(tree, staff, api, scene, who, expected):
    assert api(getattr(staff, who)).get(url(tree.community)).status_code == expected


def test_api_refuses_the_street_to_its_community_staff_and_company_staff(tree, staff, api, company_user):
    # the street is visible to them (as context) but outside their read scope
    assert api(staff.community_staff).get(url(tree.street)).status_code == 404
    assert api(staff.district_admin).get(url(tree.street)).status_code == 200
    assert api(company_user).get(url(tree.community)).status_code == 404
    assert api().get(url(tree.street)).status_code in (401, 403)
    assert api(staff.district_admin).get("/api/v1/areas/999999/three-coverage/").status_code == 404


# --- pages ---------------------------------------------------------------------------------


def test_page_shows_roll_up_and_missing_lists(client, tree, staff, scene):
    client.force_login(staff.street_staff)
    response = client.get(reverse("property-coverage"), {"area": tree.street.pk}, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "府街社区" in html and "柏杨社区" in html
    assert "Compounds without a committee" in html and "银杏小区" in html
    assert response.context["result"].totals.all_three == 1


def test_page_defaults_to_the_users_own_area(client, tree, staff, scene):
    client.force_login(staff.community_staff)
    response = client.get(reverse("property-coverage"))
    assert response.status_code == 200
    assert response.context["area"] == tree.community
    assert response.context["result"].rows_are_compounds


@pytest.mark.parametrize(
    ("who", "area", "expected"),
    [
        ("community_staff", "street", 404), ("district_admin", "street", 200), ("other_street_staff", "street", 404),
        ("grid_secretary", "grid", 200), ("grid_secretary", "community", 404), ("no_role", "street", 403),
    ],
)
def test_page_scope(client, tree, staff, scene, who, area, expected):
    client.force_login(getattr(staff, who))
    response = client.get(reverse("property-coverage"), {"area": getattr(tree, area).pk})
    assert response.status_code == expected


def test_page_for_company_staff_has_no_figures(client, tree, company_user):
    client.force_login(company_user)
    response = client.get(reverse("property-coverage"))
    assert response.status_code == 200
    assert response.context["result"] is None
    assert client.get(reverse("property-coverage"), {"area": tree.community.pk}).status_code == 404


def test_page_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("property-coverage"))
    assert response.status_code == 302

"""The /properties/ home page: its figures (each over what the user sees), a link to
every section, a company's staff seeing their company, and bounded queries."""

import datetime

import pytest
from django.urls import reverse

from communities.models import AreaKind
from properties.models import DecisionReport
from properties.selectors_coverage import dashboard

from .factories import UserFactory, make_area
from .property_factories import (
    make_committee,
    make_company,
    make_company_staff,
    make_dispute,
    make_mode,
    make_period,
)

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = datetime.date(2026, 3, 2)


@pytest.fixture
def scene(tree, orgs):
    company = make_company(tree.street, name="海棠物业")
    other = make_company(tree.other_street, name="张公桥物业")
    make_mode(tree.compound, company=company)
    make_mode(tree.other_compound, kind="fallback")
    overdue = make_committee(tree.community, [tree.compound], term_ends_on=datetime.date(2026, 1, 1))
    make_committee(tree.other_community, [tree.other_compound], term_ends_on=datetime.date(2026, 3, 20))
    DecisionReport.objects.create(committee=overdue, kind="fee_change", title="调整物业费",
                                  decision_on=datetime.date(2026, 4, 1))
    make_period(tree.district, year=2025, half=2, status="closed")
    make_period(tree.district, year=2026, half=1, status="scheduled")
    make_dispute(tree.compound, company=company)  # 2026-02-10: this half
    make_dispute(tree.other_compound, mediated_on=datetime.date(2025, 11, 1))
    return {"company": company, "other": other}


def test_the_district_sees_every_figure(tree, staff, scene):
    board = dashboard(staff.district_admin, TODAY)
    assert board.area == tree.district
    assert board.companies == 2
    assert (board.with_company, board.without_company, board.unserved) == (1, 1, 0)
    assert dict((kind, n) for kind, _label, n in board.modes)["fallback"] == 1
    assert (board.coverage.compounds, board.coverage.with_party_org, board.coverage.all_three) == (2, 1, 1)
    assert board.reelection == {"due_90": 1, "due_30": 1, "overdue": 1}
    assert board.pending_reports == 1
    assert (board.period.year, board.period.half, board.period.status) == (2026, 1, "scheduled")
    assert (board.half, board.disputes_this_half) == ((2026, 1), 1)


def test_a_community_sees_its_own_figures(tree, staff, scene):
    board = dashboard(staff.other_community_staff, TODAY)
    assert board.area == tree.other_community
    assert (board.with_company, board.without_company) == (0, 1)
    assert board.reelection == {"due_90": 1, "due_30": 1, "overdue": 0}
    assert board.pending_reports == 0
    assert board.disputes_this_half == 0
    assert board.coverage.compounds == 1
    # 海棠物业 is registered at the street above (context); 张公桥物业 elsewhere
    assert board.companies == 1


def test_company_staff_see_their_company(tree, scene):
    user = UserFactory(username="company-staff")
    make_company_staff(user, scene["company"])
    board = dashboard(user, TODAY)
    assert [c.name for c in board.own_companies] == ["海棠物业"]
    assert board.companies == 1
    assert (board.with_company, board.without_company) == (1, 0)
    assert board.area is None and board.coverage is None
    assert board.disputes_this_half == 1
    assert board.pending_reports == 0


def test_the_dashboard_takes_the_same_queries_however_much_data(tree, staff, scene, django_assert_max_num_queries):
    user = staff.district_admin
    dashboard(user, TODAY)
    with django_assert_max_num_queries(12) as small:
        dashboard(user, TODAY)
    for n in range(6):
        compound = make_area(AreaKind.COMPOUND, tree.other_community, name=f"加{n}")
        make_mode(compound, company=scene["other"])
        make_committee(tree.other_community, [compound])
        make_dispute(compound)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert dashboard(user, TODAY).with_company == 7


# --- the page ------------------------------------------------------------------------------


SECTIONS = [
    "property-coverage", "property-cross-appointment-list", "property-committee-list",
    "property-decision-report-list", "property-reminder-list", "property-committee-party-share",
    "property-period-list", "property-result-list", "property-household-list", "property-dispute-list",
    "property-dispute-counts", "property-results",
]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("superuser", 200), ("district_admin", 200), ("street_staff", 200), ("other_street_staff", 200),
     ("community_staff", 200), ("other_community_staff", 200), ("grid_secretary", 200),
     ("compound_secretary", 200), ("no_role", 403)],
)
def test_home_page_at_every_level(client, staff, scene, who, expected):
    client.force_login(getattr(staff, who))
    assert client.get(reverse("property-home")).status_code == expected


def test_home_page_links_to_every_section(client, staff, scene, clock):
    client.force_login(staff.district_admin)
    response = client.get(reverse("property-home"), **EN)
    html = response.content.decode()
    for name in SECTIONS:
        assert f'href="{reverse(name)}' in html, name
    assert "Three coverages (三覆盖)" in html
    assert response.context["board"].pending_reports == 1


def test_home_page_for_company_staff(client, scene):
    user = UserFactory(username="company-staff")
    make_company_staff(user, scene["company"])
    client.force_login(user)
    response = client.get(reverse("property-home"), **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "海棠物业" in html and "张公桥物业" not in html
    assert reverse("property-company-results", args=[scene["company"].pk]) in html


def test_home_page_asks_anonymous_visitors_to_log_in(client):
    assert client.get(reverse("property-home")).status_code == 302


def test_company_staff_land_on_the_property_dashboard_after_login(client, staff, scene):
    user = UserFactory(username="company-staff")
    make_company_staff(user, scene["company"])
    client.force_login(user)
    assert client.get(reverse("home")).url == reverse("property-home")
    # A territory role keeps the usual home page.
    client.force_login(staff.community_staff)
    assert client.get(reverse("home")).status_code == 200

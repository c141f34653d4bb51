"""The star rating API: rating-periods (with open/close/recompute/results),
org-reviews, inspections (+ checklist) and rating-results, scoped by the one rule."""

import datetime

import pytest
from django.utils import translation

from communities.models import AreaKind
from properties import services_ratings as services
from properties.checklist import CHECKLIST
from properties.models import OrgReview, PeriodStatus, RatingPeriod, RatingResult

from . import test_properties_ratings as shared
from .factories import make_area
from .property_factories import (
    add_inspection,
    add_owner_ratings,
    add_review,
    make_company,
    make_company_staff,
    make_mode,
    make_period,
)

# The scene (a period, two companies serving two compounds) and an outsider (another
# district's administrator) are the service tests' fixtures.
scene, outsider = shared.scene, shared.outsider

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PERIODS = "/api/v1/rating-periods/"
REVIEWS = "/api/v1/org-reviews/"
INSPECTIONS = "/api/v1/inspections/"
RESULTS = "/api/v1/rating-results/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def period_url(period, action=""):
    return f"{PERIODS}{period.pk}/{action + '/' if action else ''}"


def closed_scene(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=1)
    for company, compound, score in ((scene.company, tree.compound, 90),
                                     (scene.other_company, tree.other_compound, 70)):
        add_owner_ratings(scene.period, company, compound, [score])
        add_review(scene.period, company, tree.community, score)
        add_inspection(scene.period, company, compound, score)
    services.period_close(actor=staff.district_admin, period=scene.period)
    return scene.period


# --- rating periods --------------------------------------------------------------------------


def test_staff_of_the_district_list_its_periods_and_outsiders_do_not(scene, staff, api, outsider):
    for user in (staff.superuser, staff.district_admin, staff.street_staff, staff.community_staff,
                 staff.grid_secretary, staff.compound_secretary):
        body = api(user).get(PERIODS).json()
        assert [p["id"] for p in body["results"]] == [scene.period.pk], user
    assert api(outsider).get(PERIODS).json()["results"] == []
    assert api(outsider).get(period_url(scene.period)).status_code == 404
    assert api(staff.no_role).get(PERIODS).status_code == 403
    assert api().get(PERIODS).status_code in (401, 403)


def test_a_district_admin_creates_a_period_and_errors_name_the_problem(tree, staff, api, clock):
    client = api(staff.district_admin)
    bad = client.post(PERIODS, {"district": tree.district.pk, "year": 2026, "half": 1,
                                "weight_owners": 50, "weight_review": 20, "weight_inspection": 20})
    assert bad.status_code == 400
    assert bad.json() == {"weights": ["The weights must add up to 100%; they add up to 90%."]}
    created = client.post(PERIODS, {"district": tree.district.pk, "year": 2026, "half": 2})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["label"], body["weight_owners"]) == ("scheduled", "2026 H2", 50)
    assert body["opens_at"].startswith("2026-12-01T00:00:00+08:00")
    again = client.post(PERIODS, {"district": tree.district.pk, "year": 2026, "half": 2})
    assert again.status_code == 400 and "already has a rating period" in again.json()["half"][0]
    assert api(staff.street_staff).post(PERIODS, {"district": tree.district.pk, "year": 2026,
                                                  "half": 1}).status_code == 403


def test_a_district_admin_changes_settings_but_not_the_half_year(scene, staff, api):
    client = api(staff.district_admin)
    response = client.patch(period_url(scene.period), {"min_owner_ratings": 5, "star5_min": 95})
    assert response.status_code == 200, response.json()
    assert (response.json()["min_owner_ratings"], response.json()["star5_min"]) == (5, 95)
    assert client.patch(period_url(scene.period), {"half": 2}).status_code == 400
    assert api(staff.street_staff).patch(period_url(scene.period), {"min_owner_ratings": 3}).status_code == 403


def test_open_close_and_recompute_are_for_the_district_admin(tree, staff, api, clock, outsider):
    period = make_period(tree.district, status=PeriodStatus.SCHEDULED)
    assert api(outsider).post(period_url(period, "open")).status_code == 404
    for user in (staff.street_staff, staff.community_staff, staff.grid_secretary):
        assert api(user).post(period_url(period, "open")).status_code == 403
    opened = api(staff.district_admin).post(period_url(period, "open"))
    assert (opened.status_code, opened.json()["status"]) == (200, "open")
    assert api(staff.district_admin).post(period_url(period, "open")).status_code == 409
    assert api(staff.street_staff).post(period_url(period, "close")).status_code == 403
    assert api(staff.district_admin).post(period_url(period, "recompute")).status_code == 409
    closed = api(staff.district_admin).post(period_url(period, "close"))
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    conflict = api(staff.district_admin).post(period_url(period, "close"))
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == "The rating period 2026 H1 is closed already."
    assert api(staff.district_admin).post(period_url(period, "recompute")).status_code == 200


def test_a_periods_results_are_ranked(scene, tree, staff, api):
    period = closed_scene(scene, tree, staff)
    body = api(staff.community_staff).get(period_url(period, "results")).json()
    assert [(r["rank"], r["company_name"], r["stars"], r["total"]) for r in body["results"]] == [
        (1, "桂花物业", 5, "90.00"), (2, "柏杨物业", 3, "70.00")]


def test_company_staff_see_only_the_closed_periods_and_results_of_their_company(scene, tree, staff, api):
    from .factories import UserFactory

    worker = UserFactory(username="worker")
    make_company_staff(worker, scene.company)
    assert api(worker).get(PERIODS).json()["results"] == []
    period = closed_scene(scene, tree, staff)
    assert [p["id"] for p in api(worker).get(PERIODS).json()["results"]] == [period.pk]
    results = api(worker).get(RESULTS).json()["results"]
    assert [r["company_name"] for r in results] == ["桂花物业"]
    assert api(worker).post(period_url(period, "recompute")).status_code == 403


# --- reviews and inspections ---------------------------------------------------------------------


def test_a_second_review_by_the_same_node_replaces_the_first(scene, tree, staff, api):
    client = api(staff.community_staff)
    data = {"period": scene.period.pk, "company": scene.company.pk, "area": tree.community.pk, "score": "88.5"}
    first = client.post(REVIEWS, data)
    assert first.status_code == 201, first.json()
    assert first.json()["replaced"] is False
    second = client.post(REVIEWS, {**data, "score": 91})
    assert (second.status_code, second.json()["replaced"], second.json()["score"]) == (200, True, "91.00")
    assert OrgReview.objects.count() == 1
    assert [r["score"] for r in client.get(REVIEWS).json()["results"]] == ["91.00"]
    # another community's staff do not see this community (400: no such area), and may
    # not review for the street above them, which they only see (403)
    assert api(staff.other_community_staff).post(REVIEWS, data).status_code == 400
    assert api(staff.other_community_staff).post(REVIEWS, {**data, "area": tree.street.pk}).status_code == 403


def test_a_review_after_close_is_refused_with_the_message(scene, tree, staff, api):
    services.period_close(actor=staff.district_admin, period=scene.period)
    response = api(staff.community_staff).post(
        REVIEWS, {"period": scene.period.pk, "company": scene.company.pk, "area": tree.community.pk, "score": 80}
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [
        "The rating period 2026 H1 closed on 2026-06-10; ratings are no longer accepted."]}


def test_inspections_follow_the_checklist(scene, tree, staff, api):
    client = api(staff.community_staff)
    checklist = client.get(f"{INSPECTIONS}checklist/").json()
    assert [i["code"] for i in checklist] == [i.code for i in CHECKLIST]
    assert sum(i["max_points"] for i in checklist) == 100
    items = {i["code"]: i["max_points"] for i in checklist}
    data = {"period": scene.period.pk, "company": scene.company.pk, "compound": tree.compound.pk,
            "inspected_on": "2026-06-09", "items": items}
    created = client.post(INSPECTIONS, data)
    assert created.status_code == 201, created.json()
    assert created.json()["score"] == "100.00"
    bad = client.post(INSPECTIONS, {**data, "items": {**items, "fees": 11}})
    assert bad.status_code == 400
    assert bad.json()["items"] == ["Fees published (收费公示): the points must be a whole number from 0 to 10."]
    assert api(staff.other_community_staff).post(INSPECTIONS, data).status_code == 400  # unseen compound
    assert api(staff.grid_secretary).post(INSPECTIONS, data).status_code == 403  # seen, read-only
    listed = api(staff.street_staff).get(INSPECTIONS, {"period": scene.period.pk}).json()["results"]
    assert [(i["compound_name"], i["score"]) for i in listed] == [("桂花小区", "100.00")]


# --- results -----------------------------------------------------------------------------------------


def test_results_filter_by_period_company_stars_and_status(scene, tree, staff, api):
    period = closed_scene(scene, tree, staff)
    client = api(staff.street_staff)

    def names(**params):
        return [r["company_name"] for r in client.get(RESULTS, params).json()["results"]]

    assert names(period=period.pk) == ["桂花物业", "柏杨物业"]
    assert names(stars=5) == ["桂花物业"]
    assert names(stars=[3, 4]) == ["柏杨物业"]
    assert names(company=scene.other_company.pk) == ["柏杨物业"]
    assert names(status="insufficient_sample") == []
    assert client.get(RESULTS, {"period": 999999}).status_code == 400


def test_list_queries_do_not_grow_with_page_size(tree, staff, api, clock, django_assert_max_num_queries):
    clock.current = datetime.datetime(2026, 6, 10, tzinfo=datetime.UTC)
    period = make_period(tree.district)
    for n in range(25):
        company = make_company(tree.district, name=f"物业{n:02d}")
        make_mode(tree.compound if n == 0 else make_area(AreaKind.COMPOUND, tree.community), company=company)
        add_review(period, company, tree.community, 60 + n)
        add_inspection(period, company, tree.compound, 60 + n)
    services.period_close(actor=staff.district_admin, period=period)
    for extra in range(2023, 2026):
        RatingPeriod.objects.create(district=tree.district, year=extra, half=1, status=PeriodStatus.CLOSED,
                                    opens_at=period.opens_at.replace(year=extra),
                                    closes_at=period.closes_at.replace(year=extra))
    client = api(staff.street_staff)
    for url in (RESULTS, REVIEWS, INSPECTIONS, PERIODS, period_url(period, "results")):
        client.get(url, {"page_size": 3})
        with django_assert_max_num_queries(8) as small:
            assert len(client.get(url, {"page_size": 3}).json()["results"]) == 3
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert len(client.get(url, {"page_size": 20}).json()["results"]) >= 4


def test_the_schema_builds(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/rating-periods/{id}/close/", "/api/v1/rating-periods/{id}/results/",
                 "/api/v1/org-reviews/", "/api/v1/inspections/checklist/", "/api/v1/rating-results/"):
        assert path in text
    assert RatingResult.objects.count() == 0


def test_the_staff_of_two_rated_companies_see_a_period_once(scene, tree, staff, api, client):
    from .factories import UserFactory

    worker = UserFactory(username="worker")
    make_company_staff(worker, scene.company)
    make_company_staff(worker, scene.other_company)
    period = closed_scene(scene, tree, staff)
    assert [p["id"] for p in api(worker).get(PERIODS).json()["results"]] == [period.pk]
    assert api(worker).get(period_url(period)).status_code == 200
    assert len(api(worker).get(period_url(period, "results")).json()["results"]) == 2
    client.force_login(worker)
    assert client.get(f"/properties/periods/{period.pk}/").status_code == 200

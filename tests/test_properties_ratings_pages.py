"""Staff pages of the star rating: periods (list, detail, forms, open/close buttons),
the review and inspection forms, results and a company's history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from communities.models import AreaKind
from properties import services_ratings as services
from properties.checklist import CHECKLIST
from properties.models import Inspection, OrgReview, PeriodStatus, RatingPeriod, RatingResult

from . import test_properties_ratings as shared
from .factories import UserFactory, make_area
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

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def login(client, user):
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(name, args=args)


def close_with_results(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=1)
    for company, compound, score in ((scene.company, tree.compound, 92),
                                     (scene.other_company, tree.other_compound, 75)):
        add_owner_ratings(scene.period, company, compound, [score])
        add_review(scene.period, company, tree.community, score)
        add_inspection(scene.period, company, compound, score)
    services.period_close(actor=staff.district_admin, period=scene.period)


# --- list and detail ----------------------------------------------------------------------------


def test_the_period_list_shows_the_districts_periods_and_offers_creation_to_its_admin(
    scene, staff, client, outsider
):
    page = login(client, staff.street_staff).get(url("property-period-list"))
    assert page.status_code == 200
    assert "2026 H1" in page.content.decode()
    assert url("property-period-create") not in page.content.decode()
    page = login(client, staff.district_admin).get(url("property-period-list"))
    assert url("property-period-create") in page.content.decode()
    assert "2026 H1" not in login(client, outsider).get(url("property-period-list")).content.decode()
    assert login(client, staff.no_role).get(url("property-period-list")).status_code == 403


def test_the_detail_shows_progress_while_open_and_the_buttons_by_role(scene, tree, staff, client, outsider):
    add_owner_ratings(scene.period, scene.company, tree.compound, [80, 90, 100])
    detail = url("property-period-detail", scene.period.pk)
    text = login(client, staff.district_admin).get(detail).content.decode()
    assert "桂花物业" in text and "柏杨物业" in text
    assert url("property-period-close", scene.period.pk) in text
    assert url("property-review-create", scene.period.pk) in text
    text = login(client, staff.community_staff).get(detail).content.decode()
    assert "桂花物业" in text and "柏杨物业" not in text
    assert url("property-period-close", scene.period.pk) not in text
    assert url("property-inspection-create", scene.period.pk) in text
    text = login(client, staff.grid_secretary).get(detail).content.decode()
    assert url("property-review-create", scene.period.pk) not in text
    assert login(client, outsider).get(detail).status_code == 404


def test_the_close_button_closes_and_a_second_close_is_a_conflict(scene, tree, staff, client, outsider):
    close = url("property-period-close", scene.period.pk)
    assert login(client, outsider).post(close).status_code == 404
    assert login(client, staff.street_staff).post(close).status_code == 403
    assert login(client, staff.community_staff).post(close).status_code == 403
    response = login(client, staff.district_admin).post(close)
    assert response.status_code == 302
    assert RatingPeriod.objects.get(pk=scene.period.pk).status == PeriodStatus.CLOSED
    again = client.post(close)
    assert again.status_code == 409
    assert "The rating period 2026 H1 is closed already." in again.content.decode()
    assert client.get(close).status_code == 405


def test_the_open_and_recompute_buttons(tree, staff, client, clock):
    period = make_period(tree.district, status=PeriodStatus.SCHEDULED)
    login(client, staff.district_admin)
    assert client.post(url("property-period-recompute", period.pk)).status_code == 409
    assert client.post(url("property-period-open", period.pk)).status_code == 302
    assert RatingPeriod.objects.get(pk=period.pk).status == PeriodStatus.OPEN
    assert client.post(url("property-period-close", period.pk)).status_code == 302
    assert client.post(url("property-period-recompute", period.pk)).status_code == 302


def test_a_closed_periods_page_shows_the_ranked_results_for_its_staff(scene, tree, staff, client):
    close_with_results(scene, tree, staff)
    text = login(client, staff.community_staff).get(url("property-period-detail", scene.period.pk)).content.decode()
    assert text.index("桂花物业") < text.index("柏杨物业")
    assert "92.00" in text and "★★★★★" in text
    worker = UserFactory(username="worker")
    make_company_staff(worker, scene.other_company)
    text = login(client, worker).get(url("property-period-detail", scene.period.pk)).content.decode()
    assert "柏杨物业" in text and "桂花物业" not in text


# --- forms ----------------------------------------------------------------------------------------


def test_a_district_admin_creates_and_edits_a_period_with_the_forms(tree, staff, client, clock):
    assert login(client, staff.street_staff).get(url("property-period-create")).status_code == 403
    login(client, staff.district_admin)
    assert client.get(url("property-period-create")).status_code == 200
    data = {"district": tree.district.pk, "year": 2026, "half": 1, "weight_owners": 50, "weight_review": 30,
            "weight_inspection": 30, "star5_min": 90, "star4_min": 80, "star3_min": 70, "star2_min": 60,
            "min_owner_ratings": 10}
    bad = client.post(url("property-period-create"), data)
    assert bad.status_code == 200
    assert "they add up to 110%" in bad.content.decode()
    response = client.post(url("property-period-create"), {**data, "weight_inspection": 20})
    period = RatingPeriod.objects.get()
    assert response.status_code == 302 and response.url == url("property-period-detail", period.pk)
    edit = url("property-period-edit", period.pk)
    form = client.get(edit)
    assert form.status_code == 200 and 'value="2026-06-01T00:00"' in form.content.decode()
    saved = client.post(edit, {**data, "weight_inspection": 20, "min_owner_ratings": 4,
                               "opens_at": "2026-06-01T00:00", "closes_at": "2026-07-20T00:00"})
    assert saved.status_code == 302
    period.refresh_from_db()
    assert period.min_owner_ratings == 4 and period.closes_at.isoformat() == "2026-07-19T16:00:00+00:00"
    assert login(client, staff.street_staff).get(edit).status_code == 403


def test_editing_a_closed_period_is_a_conflict_on_the_form(scene, staff, client):
    services.period_close(actor=staff.district_admin, period=scene.period)
    data = {"weight_owners": 50, "weight_review": 25, "weight_inspection": 25, "star5_min": 90,
            "star4_min": 80, "star3_min": 70, "star2_min": 60, "min_owner_ratings": 3}
    response = login(client, staff.district_admin).post(url("property-period-edit", scene.period.pk), data)
    assert response.status_code == 409
    assert "its settings can no longer change" in response.content.decode()


def test_the_review_form_records_and_then_replaces(scene, tree, staff, client):
    form_url = url("property-review-create", scene.period.pk)
    assert login(client, staff.grid_secretary).get(form_url).status_code == 403
    login(client, staff.community_staff)
    page = client.get(form_url, {"company": scene.company.pk})
    assert page.status_code == 200
    text = page.content.decode()
    assert "桂花物业" in text and "柏杨物业" not in text
    data = {"company": scene.company.pk, "area": tree.community.pk, "score": "87.5", "note": ""}
    assert client.post(form_url, data).status_code == 302
    follow = client.post(form_url, {**data, "score": "90"}, follow=True)
    assert "earlier score for this company was replaced" in follow.content.decode()
    assert list(OrgReview.objects.values_list("score", flat=True)) == [90]


def test_the_inspection_form_shows_the_checklist_and_records_the_sum(scene, tree, staff, client):
    form_url = url("property-inspection-create", scene.period.pk)
    login(client, staff.community_staff)
    text = client.get(form_url).content.decode()
    assert all(escape(str(item.label)) in text for item in CHECKLIST)
    data = {"company": scene.company.pk, "compound": tree.compound.pk, "inspected_on": "2026-06-09",
            **{f"item_{i.code}": i.max_points for i in CHECKLIST}, "item_fees": 4}
    assert client.post(form_url, data).status_code == 302
    assert Inspection.objects.get().score == 94
    late = client.post(form_url, {**data, "inspected_on": "2026-06-30"})
    assert late.status_code == 200
    assert "Give the inspection&#x27;s date" in late.content.decode()


def test_a_review_after_the_close_shows_why_on_the_form(scene, tree, staff, client):
    services.period_close(actor=staff.district_admin, period=scene.period)
    response = login(client, staff.community_staff).post(
        url("property-review-create", scene.period.pk),
        {"company": scene.company.pk, "area": tree.community.pk, "score": "80"},
    )
    assert response.status_code == 200
    assert "closed on 2026-06-10; ratings are no longer accepted." in response.content.decode()


# --- results ----------------------------------------------------------------------------------------


def test_results_and_a_companys_history_for_staff_and_company_staff(scene, tree, staff, client):
    close_with_results(scene, tree, staff)
    text = login(client, staff.street_staff).get(url("property-result-list")).content.decode()
    assert "桂花物业" in text and "柏杨物业" in text
    text = client.get(url("property-company-results", scene.company.pk)).content.decode()
    assert "2026 H1" in text and "92.00" in text
    worker = UserFactory(username="worker")
    make_company_staff(worker, scene.company)
    text = login(client, worker).get(url("property-result-list")).content.decode()
    assert "桂花物业" in text and "柏杨物业" not in text
    assert client.get(url("property-company-results", scene.other_company.pk)).status_code == 404


def test_list_pages_do_not_grow_in_queries_with_the_page_size(tree, staff, client, clock,
                                                              django_assert_max_num_queries):
    clock.current = datetime.datetime(2026, 6, 10, tzinfo=datetime.UTC)
    period = make_period(tree.district)
    for n in range(25):
        company = make_company(tree.district, name=f"物业{n:02d}")
        make_mode(make_area(AreaKind.COMPOUND, tree.community), company=company)
        add_owner_ratings(period, company, tree.compound, [70 + n])
    login(client, staff.district_admin)
    detail = url("property-period-detail", period.pk)
    client.get(detail)
    with django_assert_max_num_queries(25) as open_page:
        assert client.get(detail).status_code == 200
    bound = len(open_page.captured_queries)  # read now: each request resets the query log
    services.period_close(actor=staff.district_admin, period=period)
    for extra in range(2020, 2026):
        RatingPeriod.objects.create(district=tree.district, year=extra, half=1, status=PeriodStatus.SCHEDULED,
                                    opens_at=period.opens_at.replace(year=2030 + extra - 2020),
                                    closes_at=period.closes_at.replace(year=2030 + extra - 2020))
    for page_url in (url("property-period-list"), url("property-result-list"), detail):
        client.get(page_url, {"page_size": 10})
        with django_assert_max_num_queries(bound) as small:
            assert client.get(page_url, {"page_size": 10}).status_code == 200
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(page_url, {"page_size": 50}).status_code == 200
    assert RatingResult.objects.filter(period=period).count() == 25


def test_editing_an_open_period_keeps_its_start_and_changes_the_rest(tree, staff, client, clock):
    clock.current = datetime.datetime(2026, 3, 2, 9, 0, 41, 123456, tzinfo=datetime.UTC)
    period = make_period(tree.district, status=PeriodStatus.SCHEDULED)
    services.period_open(actor=staff.district_admin, period=period)  # by hand: the window starts now
    edit = url("property-period-edit", period.pk)
    login(client, staff.district_admin)
    form = client.get(edit).content.decode()
    assert 'name="opens_at"' not in form and 'name="closes_at"' in form
    data = {"weight_owners": 50, "weight_review": 25, "weight_inspection": 25, "star5_min": 92,
            "star4_min": 80, "star3_min": 70, "star2_min": 60, "min_owner_ratings": 10,
            "closes_at": "2026-07-16T08:00"}
    assert client.post(edit, data).status_code == 302
    period.refresh_from_db()
    assert period.star5_min == 92
    assert period.closes_at == datetime.datetime(2026, 7, 16, tzinfo=datetime.UTC)

"""The half-yearly star rating (星级评价): periods, sources, closing and results.

Owners' ratings are written straight into the table here (their submit service is
tested with the residents); closing reads them like any other rating.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from communities.models import AreaKind
from governance.models import AuditEvent, StaffRole
from properties import services_ratings as services
from properties.checklist import CHECKLIST, MAX_SCORE
from properties.models import (
    OrgReview,
    PeriodStatus,
    RatingPeriod,
    RatingResult,
    ResultStatus,
    ServiceModeKind,
)
from properties.rating_results import assign_ranks, result_for
from properties.selectors_ratings import (
    companies_rated,
    company_history,
    period_progress,
    period_results,
)
from properties.services_ratings import PeriodConflict, RatingPeriodClosed

from .factories import UserFactory, give_role, make_area
from .property_factories import (
    add_inspection,
    add_owner_ratings,
    add_review,
    make_company,
    make_mode,
    make_period,
)

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


JUNE_10 = datetime.datetime(2026, 6, 10, 2, 0, tzinfo=datetime.UTC)


@dataclass
class Scene:
    period: RatingPeriod
    company: object  # serves tree.compound (府街社区)
    other_company: object  # serves tree.other_compound (柏杨社区)


@pytest.fixture
def scene(tree, clock):
    clock.current = JUNE_10
    company = make_company(tree.district, name="桂花物业")
    other = make_company(tree.district, name="柏杨物业")
    make_mode(tree.compound, company=company)
    make_mode(tree.other_compound, company=other)
    return Scene(make_period(tree.district), company, other)


@pytest.fixture
def outsider(db):
    """The administrator of another district."""
    district = make_area(AreaKind.DISTRICT, name="五通桥区")
    user = UserFactory(username="other-district")
    give_role(user, district, StaffRole.Role.DISTRICT_ADMIN)
    return user


def full_sources(scene, tree, company=None, owners=(80, 90), review=80, inspection=80, compound=None):
    company = company or scene.company
    compound = compound or tree.compound
    add_owner_ratings(scene.period, company, compound, owners)
    if review is not None:
        add_review(scene.period, company, tree.community, review)
    if inspection is not None:
        add_inspection(scene.period, company, compound, inspection)


def rows(period):
    return sorted(
        RatingResult.objects.filter(period=period).values_list(
            "company_id", "owner_count", "owner_score", "review_score", "inspection_score", "total",
            "stars", "status", "rank",
        )
    )


def events(obj, action):
    return AuditEvent.objects.filter(object_id=obj.pk, content_type__model=type(obj)._meta.model_name,
                                     action=action).count()


# --- creating and changing a period ----------------------------------------------------------


def test_a_new_period_gets_the_default_window_in_local_time(tree, staff, clock):
    h1 = services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=1)
    h2 = services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=2)
    local = [p.astimezone(datetime.timezone(datetime.timedelta(hours=8))).replace(tzinfo=None)
             for p in (h1.opens_at, h1.closes_at, h2.opens_at, h2.closes_at)]
    assert local == [datetime.datetime(2026, 6, 1), datetime.datetime(2026, 7, 15),
                     datetime.datetime(2026, 12, 1), datetime.datetime(2027, 1, 15)]
    assert h1.status == PeriodStatus.SCHEDULED
    assert (h1.weight_owners, h1.weight_review, h1.weight_inspection) == (50, 25, 25)
    assert events(h1, "created") == 1


def test_a_second_period_for_the_same_half_is_refused_clearly(tree, staff, clock):
    services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=1)
    with pytest.raises(ValidationError) as exc:
        services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=1)
    assert exc.value.message_dict["half"] == ["市中区 already has a rating period for 2026 H1."]


def test_weights_must_be_whole_percents_adding_up_to_100(tree, staff, clock):
    with pytest.raises(ValidationError) as exc:
        services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=1,
                               weight_owners=50, weight_review=30, weight_inspection=25)
    assert exc.value.message_dict["weights"] == ["The weights must add up to 100%; they add up to 105%."]
    with pytest.raises(ValidationError) as exc:
        services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=1,
                               weight_owners=Decimal("50.5"), weight_review=25, weight_inspection=24.5)
    assert set(exc.value.message_dict) == {"weight_owners", "weight_inspection"}
    period = services.period_create(actor=staff.district_admin, district=tree.district, year=2026,
                                    half=1, weight_owners=60, weight_review=20, weight_inspection=20)
    assert (period.weight_owners, period.weight_review, period.weight_inspection) == (60, 20, 20)


def test_thresholds_must_descend_strictly_within_0_to_100_and_the_minimum_is_at_least_one(
    tree, staff, clock
):
    with pytest.raises(ValidationError) as exc:
        services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=1,
                               star5_min=90, star4_min=90, min_owner_ratings=0)
    assert exc.value.message_dict["thresholds"] == [
        "The star thresholds must go down strictly from 5 stars to 2 stars; they are 90 > 90 > 70 > 60."
    ]
    assert "min_owner_ratings" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.period_create(actor=staff.district_admin, district=tree.district, year=2026, half=1,
                               star5_min=101)
    assert "star5_min" in exc.value.message_dict


def test_only_the_districts_administrators_set_up_periods(tree, staff, clock, outsider):
    for user in (staff.street_staff, staff.community_staff, staff.grid_secretary, staff.no_role, outsider):
        with pytest.raises(PermissionDenied):
            services.period_create(actor=user, district=tree.district, year=2026, half=1)
    with pytest.raises(ValidationError) as exc:
        services.period_create(actor=staff.district_admin, district=tree.street, year=2026, half=1)
    assert "district" in exc.value.message_dict
    assert services.period_create(actor=staff.superuser, district=tree.district, year=2026, half=1)


def test_updating_settings_is_validated_audited_and_a_no_op_when_unchanged(scene, staff, clock):
    period = scene.period
    with pytest.raises(ValidationError) as exc:
        services.period_update(actor=staff.district_admin, period=period, weight_owners=40)
    assert exc.value.message_dict["weights"] == ["The weights must add up to 100%; they add up to 90%."]
    services.period_update(actor=staff.district_admin, period=period, weight_owners=40, weight_review=30,
                           weight_inspection=30, min_owner_ratings=5)
    period.refresh_from_db()
    assert (period.weight_owners, period.weight_review, period.min_owner_ratings) == (40, 30, 5)
    services.period_update(actor=staff.district_admin, period=period, weight_owners=40)
    assert events(period, "updated") == 1
    with pytest.raises(PermissionDenied):
        services.period_update(actor=staff.street_staff, period=period, min_owner_ratings=3)


def test_a_closed_periods_settings_no_longer_change(scene, staff, clock):
    services.period_close(actor=staff.district_admin, period=scene.period)
    with pytest.raises(PeriodConflict):
        services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=3)


# --- which companies a period rates ------------------------------------------------------------


def test_a_period_rates_the_companies_serving_its_district_during_the_half_year(tree, clock):
    period = make_period(tree.district)
    serving = make_company(tree.district, name="在服务")
    ended_before = make_company(tree.district, name="年初前离场")
    ended_during = make_company(tree.district, name="半年中离场")
    started_after = make_company(tree.district, name="下半年进场")
    make_mode(tree.compound, company=ended_before, started_on=datetime.date(2024, 1, 1),
              ended_on=datetime.date(2025, 12, 31))
    make_mode(tree.compound, company=ended_during, started_on=datetime.date(2025, 1, 1),
              ended_on=datetime.date(2026, 3, 31))
    make_mode(tree.compound, company=serving, kind=ServiceModeKind.TRUST, started_on=datetime.date(2026, 4, 1))
    make_mode(tree.other_compound, company=started_after, started_on=datetime.date(2026, 7, 1),
              ended_on=datetime.date(2026, 8, 1))
    make_mode(tree.other_compound, kind=ServiceModeKind.FALLBACK, started_on=datetime.date(2026, 8, 2))
    elsewhere = make_area(AreaKind.DISTRICT)
    far = make_area(AreaKind.COMPOUND, make_area(AreaKind.COMMUNITY, make_area(AreaKind.STREET, elsewhere)))
    make_mode(far, company=make_company(elsewhere, name="外区"))
    assert set(companies_rated(period).values_list("name", flat=True)) == {"在服务", "半年中离场"}


# --- computing the results -----------------------------------------------------------------------


def test_the_weighted_total_gives_owners_half_by_default_rounded_half_up(scene, tree, staff):
    period = scene.period
    services.period_update(actor=staff.district_admin, period=period, min_owner_ratings=3)
    add_owner_ratings(period, scene.company, tree.compound, [80, 90, 95])  # mean 88.333… → 88.33
    add_review(period, scene.company, tree.community, 90)
    add_review(period, scene.company, tree.street, 85)  # review mean 87.50
    add_inspection(period, scene.company, tree.compound, 70)
    add_inspection(period, scene.company, tree.compound, 75)  # inspection mean 72.50
    services.period_close(actor=staff.district_admin, period=period)
    result = RatingResult.objects.get(period=period, company=scene.company)
    # (50 × 88.33 + 25 × 87.50 + 25 × 72.50) / 100 = 84.165 → 84.17 (half up, not half even)
    assert (result.owner_count, result.owner_score, result.review_score, result.inspection_score) == (
        3, Decimal("88.33"), Decimal("87.50"), Decimal("72.50"))
    assert result.total == Decimal("84.17")
    assert (result.status, result.stars, result.rank) == (ResultStatus.RATED, 4, 1)


def test_stars_follow_the_periods_thresholds(scene):
    period = scene.period
    period.min_owner_ratings = 1

    def stars(score):
        source = (1, Decimal(score))
        return result_for(period, 1, source, source, source).stars

    assert stars("89.99") == 4
    assert stars("90") == 5
    assert [stars(s) for s in ("80", "79.99", "70", "60", "59.99", "0")] == [4, 3, 3, 2, 1, 1]
    period.star5_min, period.star4_min = 95, 85
    assert (stars("90"), stars("95"), stars("84.99")) == (4, 5, 3)


def test_thresholds_apply_when_the_period_closes(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=1)
    full_sources(scene, tree, owners=[89.99], review=89.99, inspection=89.99)
    full_sources(scene, tree, company=scene.other_company, compound=tree.other_compound, owners=[90],
                 review=90, inspection=90)
    services.period_close(actor=staff.district_admin, period=scene.period)
    stars = dict(RatingResult.objects.values_list("company__name", "stars"))
    assert stars == {"桂花物业": 4, "柏杨物业": 5}


def test_too_few_owners_ratings_is_an_insufficient_sample_listed_without_stars_or_rank(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=3)
    full_sources(scene, tree, owners=[100, 100], review=100, inspection=100)
    full_sources(scene, tree, company=scene.other_company, compound=tree.other_compound,
                 owners=[60, 60, 60], review=60, inspection=60)
    services.period_close(actor=staff.district_admin, period=scene.period)
    thin = RatingResult.objects.get(company=scene.company)
    assert (thin.status, thin.stars, thin.rank) == (ResultStatus.INSUFFICIENT_SAMPLE, None, None)
    assert (thin.owner_count, thin.owner_score, thin.review_score, thin.inspection_score) == (
        2, Decimal("100.00"), Decimal("100.00"), Decimal("100.00"))
    listed = [(r.company.name, r.rank) for r in period_results(scene.period)]
    assert listed == [("柏杨物业", 1), ("桂花物业", None)]


def test_a_missing_review_or_inspection_makes_the_result_incomplete(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=1)
    full_sources(scene, tree, inspection=None)
    services.period_close(actor=staff.district_admin, period=scene.period)
    result = RatingResult.objects.get(company=scene.company)
    assert (result.status, result.stars, result.rank, result.total) == (ResultStatus.INCOMPLETE, None, None, None)
    assert result.review_score == Decimal("80.00")
    silent = RatingResult.objects.get(company=scene.other_company)
    assert (silent.owner_count, silent.owner_score, silent.status) == (0, None, ResultStatus.INSUFFICIENT_SAMPLE)


def test_equal_totals_share_a_rank_and_the_next_rank_skips(scene):
    def rated(pk, total):
        return RatingResult(company_id=pk, total=Decimal(total), status=ResultStatus.RATED)

    results = [rated(1, "85"), rated(2, "90"), rated(3, "85"), rated(4, "80"),
               RatingResult(company_id=5, total=None, status=ResultStatus.INCOMPLETE)]
    assign_ranks(results)
    assert [r.rank for r in results] == [2, 1, 2, 4, None]


def test_tied_companies_are_listed_by_name(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=1)
    third = make_company(tree.district, name="阿里物业")
    compound3 = make_area(AreaKind.COMPOUND, tree.community)
    make_mode(compound3, company=third)
    for company, compound in ((scene.company, tree.compound), (scene.other_company, tree.other_compound),
                              (third, compound3)):
        full_sources(scene, tree, company=company, compound=compound, owners=[80], review=80, inspection=80)
    services.period_close(actor=staff.district_admin, period=scene.period)
    assert [(r.rank, r.company.name) for r in period_results(scene.period)] == sorted(
        [(1, "阿里物业"), (1, "柏杨物业"), (1, "桂花物业")])


def test_closing_again_or_recomputing_gives_the_same_rows_and_no_duplicates(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=2)
    full_sources(scene, tree, owners=[70, 91, 88], review=77.5, inspection=81)
    full_sources(scene, tree, company=scene.other_company, compound=tree.other_compound, owners=[99])
    services.period_close(actor=None, period=scene.period)
    first = rows(scene.period)
    assert len(first) == 2
    services.period_close(actor=None, period=scene.period)  # the job again: nothing happens
    assert events(scene.period, "closed") == 1
    services.period_recompute(actor=staff.district_admin, period=scene.period)
    services.period_recompute(actor=staff.district_admin, period=scene.period)
    assert rows(scene.period) == first
    assert RatingResult.objects.filter(period=scene.period).count() == 2
    note = AuditEvent.objects.filter(action="recomputed").last().note
    assert note == "2 companies in the results, 0 changed"


def test_a_user_closing_a_closed_period_gets_a_conflict(scene, staff):
    services.period_close(actor=staff.district_admin, period=scene.period)
    with pytest.raises(PeriodConflict, match="is closed already"):
        services.period_close(actor=staff.district_admin, period=scene.period)
    assert events(scene.period, "closed") == 1
    scene.period.refresh_from_db()
    assert scene.period.closed_by == staff.district_admin


def test_recomputing_picks_up_a_fixed_source(scene, tree, staff):
    services.period_update(actor=staff.district_admin, period=scene.period, min_owner_ratings=1)
    full_sources(scene, tree, owners=[80], review=80, inspection=80)
    services.period_close(actor=staff.district_admin, period=scene.period)
    OrgReview.objects.filter(company=scene.company).update(score=100)
    services.period_recompute(actor=staff.district_admin, period=scene.period)
    assert RatingResult.objects.get(company=scene.company).total == Decimal("85.00")
    with pytest.raises(PermissionDenied):
        services.period_recompute(actor=staff.street_staff, period=scene.period)


def test_only_the_districts_administrators_open_and_close(tree, staff, clock, outsider):
    period = make_period(tree.district, status=PeriodStatus.SCHEDULED)
    for user in (staff.street_staff, staff.community_staff, staff.grid_secretary, outsider):
        with pytest.raises(PermissionDenied):
            services.period_open(actor=user, period=period)
    services.period_open(actor=staff.district_admin, period=period)
    with pytest.raises(PeriodConflict):
        services.period_open(actor=staff.district_admin, period=period)
    for user in (staff.street_staff, staff.other_community_staff, outsider):
        with pytest.raises(PermissionDenied):
            services.period_close(actor=user, period=period)
    services.period_close(actor=staff.district_admin, period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    # opened early by hand: the window starts when it was opened
    assert period.opens_at == clock.current == period.opened_at


# --- late ratings ---------------------------------------------------------------------------------


def test_a_review_or_inspection_after_close_is_refused_with_a_clear_message(scene, tree, staff, clock):
    clock.current = scene.period.closes_at + datetime.timedelta(minutes=30)
    services.period_close(actor=None, period=scene.period)
    message = "The rating period 2026 H1 closed on 2026-07-16; ratings are no longer accepted."
    with pytest.raises(RatingPeriodClosed) as exc:
        services.org_review_submit(actor=staff.community_staff, period=scene.period, company=scene.company,
                                   area=tree.community, score=90)
    assert exc.value.messages == [message]
    with pytest.raises(RatingPeriodClosed, match="no longer accepted"):
        services.inspection_record(actor=staff.community_staff, period=scene.period, company=scene.company,
                                   compound=tree.compound, inspected_on=datetime.date(2026, 6, 10),
                                   items={i.code: i.max_points for i in CHECKLIST})
    assert not OrgReview.objects.exists()


def test_ratings_stop_when_the_window_ends_even_before_the_job_closes_the_period(scene, clock):
    clock.current = scene.period.closes_at
    with transaction.atomic(), pytest.raises(RatingPeriodClosed, match="closed on"):
        services.period_lock_for_rating(scene.period)


def test_a_scheduled_period_refuses_ratings_until_it_opens(tree, clock):
    period = make_period(tree.district, status=PeriodStatus.SCHEDULED)
    with transaction.atomic(), pytest.raises(RatingPeriodClosed) as exc:
        services.period_lock_for_rating(period)
    assert exc.value.messages == [
        "The rating period 2026 H1 opens on 2026-06-01; ratings are not accepted yet."]


@pytest.mark.django_db(transaction=True)
def test_the_rating_lock_must_run_inside_the_raters_transaction(scene):
    with pytest.raises(transaction.TransactionManagementError):
        services.period_lock_for_rating(scene.period)
    with transaction.atomic():
        assert services.period_lock_for_rating(scene.period).status == PeriodStatus.OPEN


# --- organisation review ----------------------------------------------------------------------------


def test_reviewing_again_replaces_the_nodes_score(scene, tree, staff):
    first = services.org_review_submit(actor=staff.community_staff, period=scene.period,
                                       company=scene.company, area=tree.community, score="86.5")
    assert first.replaced is False
    again = services.org_review_submit(actor=staff.street_staff, period=scene.period,
                                       company=scene.company, area=tree.community, score=90, note="复核")
    assert (again.pk, again.replaced, again.score, again.reviewer) == (first.pk, True, Decimal("90.00"),
                                                                        staff.street_staff)
    same = services.org_review_submit(actor=staff.street_staff, period=scene.period,
                                      company=scene.company, area=tree.community, score=90, note="复核")
    assert same.replaced is False
    assert OrgReview.objects.count() == 1
    assert events(first, "created") == 1 and events(first, "replaced") == 1
    street = services.org_review_submit(actor=staff.street_staff, period=scene.period,
                                        company=scene.company, area=tree.street, score=70)
    assert street.pk != first.pk and OrgReview.objects.count() == 2


def test_a_review_needs_the_reviewers_own_area_and_a_company_serving_in_it(scene, tree, staff):
    with pytest.raises(PermissionDenied):
        services.org_review_submit(actor=staff.other_community_staff, period=scene.period,
                                   company=scene.company, area=tree.community, score=80)
    with pytest.raises(PermissionDenied):
        services.org_review_submit(actor=staff.grid_secretary, period=scene.period,
                                   company=scene.company, area=tree.grid, score=80)
    with pytest.raises(ValidationError) as exc:
        services.org_review_submit(actor=staff.community_staff, period=scene.period,
                                   company=scene.other_company, area=tree.community, score=80)
    assert exc.value.message_dict["company"] == ["柏杨物业 did not serve a compound in 府街社区 during 2026 H1."]
    with pytest.raises(ValidationError) as exc:
        services.org_review_submit(actor=staff.community_staff, period=scene.period,
                                   company=scene.company, area=tree.compound, score=80)
    assert "area" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.org_review_submit(actor=staff.community_staff, period=scene.period,
                                   company=scene.company, area=tree.community, score=100.5)
    assert exc.value.message_dict["score"] == ["Give a score from 0 to 100."]


# --- quality inspection -----------------------------------------------------------------------------


def test_the_checklist_has_about_eight_items_worth_100_points():
    assert 8 <= len(CHECKLIST) <= 10
    assert MAX_SCORE == 100 == sum(i.max_points for i in CHECKLIST)
    assert len({i.code for i in CHECKLIST}) == len(CHECKLIST)


def test_an_inspection_scores_the_sum_of_its_items(scene, tree, staff):
    items = {i.code: i.max_points - 1 for i in CHECKLIST}
    inspection = services.inspection_record(
        actor=staff.community_staff, period=scene.period, company=scene.company, compound=tree.compound,
        inspected_on=datetime.date(2026, 6, 9), items={**items, "management": "12"},
    )
    assert inspection.score == Decimal(100 - len(CHECKLIST) - 2)
    assert inspection.items["management"] == 12
    assert inspection.inspector == staff.community_staff
    assert events(inspection, "created") == 1


def test_inspection_items_are_checked_one_by_one(scene, tree, staff):
    items = {i.code: 5 for i in CHECKLIST}
    items.update(management=16, cleaning=-1, greening=2.5, extra=3)
    del items["fees"]
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(actor=staff.community_staff, period=scene.period, company=scene.company,
                                   compound=tree.compound, inspected_on=datetime.date(2026, 7, 1), items=items)
    errors = exc.value.message_dict
    assert errors["items"] == [
        "Unknown checklist items: extra.",
        "Service management (服务管理): the points must be a whole number from 0 to 15.",
        "Environmental sanitation (环境卫生): the points must be a whole number from 0 to 15.",
        "Greenery care (绿化养护): the points must be a whole number from 0 to 10.",
        "Fees published (收费公示): give its points (0–10).",
    ]
    assert errors["inspected_on"] == ["Give the inspection's date, from 2026-01-01 to today."]


def test_an_inspection_needs_a_compound_the_company_serves_and_the_inspector_may_change(scene, tree, staff):
    items = {i.code: 1 for i in CHECKLIST}
    with pytest.raises(ValidationError) as exc:
        services.inspection_record(actor=staff.street_staff, period=scene.period, company=scene.company,
                                   compound=tree.other_compound, inspected_on=datetime.date(2026, 6, 1),
                                   items=items)
    assert exc.value.message_dict["company"] == ["桂花物业 did not serve 柏杨小区 during 2026 H1."]
    with pytest.raises(PermissionDenied):
        services.inspection_record(actor=staff.other_community_staff, period=scene.period,
                                   company=scene.company, compound=tree.compound,
                                   inspected_on=datetime.date(2026, 6, 1), items=items)


# --- reads ---------------------------------------------------------------------------------------------


def test_progress_counts_each_source_per_company_for_the_staff_who_see_it(scene, tree, staff):
    add_owner_ratings(scene.period, scene.company, tree.compound, [80, 100])
    add_review(scene.period, scene.company, tree.community, 70)
    add_inspection(scene.period, scene.other_company, tree.other_compound, 66)
    everything = {c.name: (c.n_owner_ratings, c.owner_mean, c.n_reviews, c.n_inspections)
                  for c in period_progress(staff.district_admin, scene.period)}
    assert everything == {"桂花物业": (2, Decimal("90"), 1, 0), "柏杨物业": (0, None, 0, 1)}
    # a community's staff see the companies serving there
    assert [c.name for c in period_progress(staff.community_staff, scene.period)] == ["桂花物业"]


def test_a_companys_history_lists_closed_periods_newest_first(scene, tree, staff, clock):
    services.period_close(actor=staff.district_admin, period=scene.period)
    clock.current = datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)
    later = make_period(tree.district, half=2)
    services.period_close(actor=staff.district_admin, period=later)
    make_period(tree.district, year=2027)  # open: not in the history
    assert [r.period.label for r in company_history(scene.company)] == ["2026 H2", "2026 H1"]

"""The race between raters and the close, over real PostgreSQL connections: a rating
in flight is waited for and counted; a rating after the close's lock is refused;
two jobs closing at once close once."""

import datetime
import time

import pytest
from django.db import connection, transaction

from governance.models import AuditEvent
from properties import rating_results, services_ratings
from properties.models import PeriodStatus, RatingPeriod, RatingResult
from properties.services_ratings import RatingPeriodClosed, period_close, period_lock_for_rating
from properties.tasks_ratings import rating_periods_tick

from .concurrent import run_together
from .property_factories import add_owner_ratings, make_company, make_mode, make_period

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.concurrency,
    pytest.mark.usefixtures("english"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture
def scene(tree, clock):
    clock.current = datetime.datetime(2026, 6, 10, tzinfo=datetime.UTC)
    company = make_company(tree.district, name="桂花物业")
    make_mode(tree.compound, company=company)
    period = make_period(tree.district)
    add_owner_ratings(period, company, tree.compound, [80, 80])
    return period, company


def test_a_rating_in_flight_makes_the_close_wait_and_is_counted(scene, tree):
    period, company = scene

    def rate_slowly():
        with transaction.atomic():
            period_lock_for_rating(period)
            time.sleep(0.6)  # the close starts meanwhile and must wait for this commit
            add_owner_ratings(period, company, tree.compound, [100])

    def close_soon():
        time.sleep(0.2)
        return period_close(actor=None, period=period)

    results = run_together(rate_slowly, close_soon)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    result = RatingResult.objects.get(period=period, company=company)
    assert (result.owner_count, str(result.owner_score)) == (3, "86.67")


def test_a_rating_arriving_while_the_close_runs_is_refused_afterwards(scene, tree, monkeypatch):
    period, company = scene
    compute = rating_results.compute_results

    def slow_compute(p):
        time.sleep(0.6)  # the rater arrives meanwhile and waits for the period row
        return compute(p)

    monkeypatch.setattr(services_ratings, "compute_results", slow_compute)

    def rate_soon():
        time.sleep(0.2)
        with transaction.atomic():
            period_lock_for_rating(period)
            add_owner_ratings(period, company, tree.compound, [100])

    results = run_together(lambda: period_close(actor=None, period=period), rate_soon)
    assert results[0][0] == "ok", results
    kind, error = results[1]
    assert kind == "error" and isinstance(error, RatingPeriodClosed), results
    assert "ratings are no longer accepted" in error.messages[0]
    assert RatingResult.objects.get(period=period, company=company).owner_count == 2


def test_two_jobs_at_once_close_a_period_once(scene, clock):
    period, _company = scene
    clock.current = period.closes_at + datetime.timedelta(minutes=1)
    results = run_together(rating_periods_tick, rating_periods_tick)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sorted(value["closed"] for _, value in results) == [0, 1]
    assert RatingPeriod.objects.get(pk=period.pk).status == PeriodStatus.CLOSED
    assert RatingResult.objects.filter(period=period).count() == 1
    assert AuditEvent.objects.filter(content_type__model="ratingperiod", action="closed").count() == 1

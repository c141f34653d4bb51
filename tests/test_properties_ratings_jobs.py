"""The rating periods' hourly job: creating, opening, reminding once, closing; safe
to run twice."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import translation

from communities.models import AreaKind
from governance.models import AuditEvent
from properties import tasks_ratings
from properties.models import PeriodStatus, RatingPeriod, RatingResult, Reminder, ServiceModeKind
from properties.tasks_ratings import rating_periods_tick

from .factories import make_area
from .property_factories import add_owner_ratings, make_company, make_mode, make_period

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args):
    return datetime.datetime(*args, tzinfo=LOCAL)


@pytest.fixture
def served(tree):
    company = make_company(tree.district, name="桂花物业")
    make_mode(tree.compound, company=company)
    return company


@pytest.fixture
def emails(staff, monkeypatch, django_capture_on_commit_callbacks):
    """Raters with addresses, and the e-mail task run in place of the queue."""
    for user, address in ((staff.street_staff, "street@example.org"),
                          (staff.community_staff, "community@example.org"),
                          (staff.other_community_staff, ""),
                          (staff.district_admin, "admin@example.org"),
                          (staff.grid_secretary, "grid@example.org")):
        user.email = address
        user.save(update_fields=["email"])
    monkeypatch.setattr(tasks_ratings.deliver_period_reminder_emails, "delay",
                        lambda: tasks_ratings.deliver_period_reminder_emails())


def tick(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return rating_periods_tick()


def actions(period):
    return list(AuditEvent.objects.filter(content_type__model="ratingperiod", object_id=period.pk)
                .order_by("id").values_list("action", flat=True))


def test_the_job_creates_the_half_years_period_where_a_company_serves(
    tree, clock, served, django_capture_on_commit_callbacks
):
    quiet = make_area(AreaKind.COUNTY, name="无物业县")
    compound = make_area(AreaKind.COMPOUND, make_area(AreaKind.COMMUNITY, make_area(AreaKind.TOWN, quiet)))
    make_mode(compound, kind=ServiceModeKind.SELF_MANAGED)
    assert tick(django_capture_on_commit_callbacks)["created"] == 1
    assert tick(django_capture_on_commit_callbacks)["created"] == 0
    period = RatingPeriod.objects.get()
    assert (period.district, period.year, period.half, period.status) == (
        tree.district, 2026, 1, PeriodStatus.SCHEDULED)
    assert period.opens_at == local(2026, 6, 1) and period.closes_at == local(2026, 7, 15)
    clock.current = local(2026, 7, 1, 9)
    tick(django_capture_on_commit_callbacks)
    assert set(RatingPeriod.objects.values_list("half", flat=True)) == {1, 2}


def test_the_job_opens_reminds_once_at_7_and_1_days_and_closes_once(
    tree, staff, clock, served, emails, django_capture_on_commit_callbacks
):
    tick(django_capture_on_commit_callbacks)
    period = RatingPeriod.objects.get()
    clock.current = local(2026, 5, 31, 23, 30)
    assert tick(django_capture_on_commit_callbacks)["opened"] == 0
    clock.current = local(2026, 6, 1, 0, 10)
    assert tick(django_capture_on_commit_callbacks)["opened"] == 1
    assert tick(django_capture_on_commit_callbacks)["opened"] == 0
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    add_owner_ratings(period, served, tree.compound, [90] * 10)

    clock.current = local(2026, 7, 7, 23, 0)  # 7 days and 1 hour before closing: not yet
    assert tick(django_capture_on_commit_callbacks)["reminded"] == 0
    clock.current = local(2026, 7, 8, 0, 5)
    assert tick(django_capture_on_commit_callbacks)["reminded"] == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["community@example.org", "street@example.org"]
    assert "2026-07-15 00:00" in mail.outbox[0].body
    clock.advance(hours=1)
    assert tick(django_capture_on_commit_callbacks)["reminded"] == 0
    assert tasks_ratings.deliver_period_reminder_emails() == 0
    assert len(mail.outbox) == 2

    clock.current = local(2026, 7, 14, 0, 30)
    assert tick(django_capture_on_commit_callbacks)["reminded"] == 1
    assert tick(django_capture_on_commit_callbacks)["reminded"] == 0
    assert sorted(Reminder.objects.values_list("key", flat=True)) == ["1d", "7d"]
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0
    assert len(mail.outbox) == 4

    clock.current = local(2026, 7, 15, 0, 20)
    assert tick(django_capture_on_commit_callbacks)["closed"] == 1
    assert tick(django_capture_on_commit_callbacks)["closed"] == 0
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED and period.closed_by is None
    assert actions(period) == ["created", "opened", "closed"]
    result = RatingResult.objects.get(period=period)
    assert (result.company, result.owner_count) == (served, 10)


def test_a_period_opened_late_gets_only_the_1_day_reminder(
    tree, clock, served, emails, django_capture_on_commit_callbacks
):
    period = make_period(tree.district, closes_at=local(2026, 7, 15))
    clock.current = local(2026, 7, 14, 12)
    tick(django_capture_on_commit_callbacks)
    clock.advance(hours=6)
    tick(django_capture_on_commit_callbacks)
    assert list(Reminder.objects.values_list("period", "area", "key")) == [(period.pk, tree.district.pk, "1d")]


def test_the_job_leaves_closed_periods_alone(tree, staff, clock, served, django_capture_on_commit_callbacks):
    from properties.services_ratings import period_close

    period = make_period(tree.district, closes_at=local(2026, 7, 15))
    clock.current = local(2026, 7, 10)
    period_close(actor=staff.district_admin, period=period)
    before = list(RatingResult.objects.values_list("pk", flat=True))
    clock.current = local(2026, 7, 16)
    assert tick(django_capture_on_commit_callbacks)["closed"] == 0
    assert list(RatingResult.objects.values_list("pk", flat=True)) == before
    assert actions(period) == ["closed"]

"""The rating periods' periodic job (hourly, ``properties.rating_periods_tick``) and
the e-mails of its reminders.

Every step re-reads the database and is safe to run twice, or twice at once:
creating a period relies on its unique constraint, opening and closing lock the
period row and check its status (``actor=None``: a period in another state is left
alone), and a reminder is one row per (kind, period, area, key) under a unique
constraint, e-mailed by whoever claims it first with a conditional UPDATE.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import ROOT_KINDS, Area
from governance import clock
from governance.models import StaffRole

from .models import PeriodStatus, RatingPeriod, Reminder, ReminderKind
from .selectors_ratings import services_during

__all__ = ["deliver_period_reminder_emails", "rating_periods_tick"]

logger = logging.getLogger(__name__)

#: Reminder keys and how long before closing each is sent.
REMINDERS = (("7d", datetime.timedelta(days=7)), ("1d", datetime.timedelta(days=1)))
RATER_ROLES = (StaffRole.Role.STREET_STAFF, StaffRole.Role.COMMUNITY_STAFF)


def current_half(now) -> tuple[int, int]:
    """The half year containing ``now`` (local date). Its rating window (June to mid
    July, December to mid January) always lies ahead or is running."""
    today = timezone.localdate(now)
    return today.year, 1 if today.month <= 6 else 2


def ensure_periods(now) -> int:
    """Create the current half year's period (scheduled, default settings) for every
    district and county that has a property company serving there in that half."""
    from .services_ratings import period_create

    year, half = current_half(now)
    have = set(RatingPeriod.objects.filter(year=year, half=half).values_list("district_id", flat=True))
    created = 0
    for root in Area.objects.filter(kind__in=sorted(ROOT_KINDS)).exclude(pk__in=have).order_by("pk"):
        if not services_during(root, year, half).exists():
            continue
        try:
            period_create(actor=None, district=root, year=year, half=half)
        except ValidationError:  # created meanwhile by a concurrent run
            continue
        created += 1
    return created


def open_due(now) -> int:
    from .services_ratings import period_open

    opened = 0
    due = RatingPeriod.objects.filter(status=PeriodStatus.SCHEDULED, opens_at__lte=now)
    for pk in due.order_by("opens_at", "pk").values_list("pk", flat=True):
        period = period_open(actor=None, period=RatingPeriod(pk=pk))
        opened += period.changed
    return opened


def remind_closing(now) -> int:
    """One reminder per period at 7 days and at 1 day before it closes (the 7-day one
    only if the 1-day mark has not passed yet), e-mailed after commit."""
    sent = 0
    soon = RatingPeriod.objects.filter(
        status=PeriodStatus.OPEN, closes_at__gt=now, closes_at__lte=now + REMINDERS[0][1]
    ).select_related("district")
    for period in soon:
        left = period.closes_at - now
        key = "1d" if left <= REMINDERS[1][1] else "7d"
        message = _(
            "The star rating %(label)s of %(district)s closes at %(when)s: record the organisation "
            "reviews and quality inspections, and remind the owners to rate."
        ) % {
            "label": period.label, "district": period.district.name,
            "when": timezone.localtime(period.closes_at).strftime("%Y-%m-%d %H:%M"),
        }
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    kind=ReminderKind.RATING_CLOSING, period=period, area=period.district, key=key,
                    message=message[:300], created_at=now,
                )
                transaction.on_commit(lambda: deliver_period_reminder_emails.delay())
        except IntegrityError:  # sent before (or by a concurrent run)
            continue
        sent += 1
    return sent


def close_due(now) -> int:
    from .services_ratings import period_close

    closed = 0
    due = RatingPeriod.objects.filter(status=PeriodStatus.OPEN, closes_at__lte=now)
    for pk in due.order_by("closes_at", "pk").values_list("pk", flat=True):
        # Each period in its own transaction (period_close's), under its row lock.
        period = period_close(actor=None, period=RatingPeriod(pk=pk))
        closed += period.changed
    return closed


@shared_task(name="properties.rating_periods_tick")
def rating_periods_tick() -> dict:
    """Hourly: create the half year's periods, open those whose time has come, remind
    the raters 7 days and 1 day before closing, close those whose window ended."""
    now = clock.now()
    result = {
        "created": ensure_periods(now),
        "opened": open_due(now),
        "reminded": remind_closing(now),
        "closed": close_due(now),
    }
    logger.info("rating periods tick: %s", result)
    return result


def rater_emails(district: Area) -> list[str]:
    """E-mail addresses of the street and community staff within ``district``."""
    return sorted(
        set(
            get_user_model().objects.filter(
                is_active=True,
                staff_roles__role__in=[str(r) for r in RATER_ROLES],
                staff_roles__area__path__startswith=district.path,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


@shared_task(name="properties.deliver_period_reminder_emails")
def deliver_period_reminder_emails(limit: int = 50) -> int:
    """E-mail the rating reminders not yet e-mailed (only rating-period reminders:
    the committees' reminders have their own task). Each is claimed with a
    conditional UPDATE of ``emailed_at`` first, so two workers never send one twice."""
    from django.core.mail import send_mass_mail

    sent = 0
    pending = (
        Reminder.objects.filter(
            kind=ReminderKind.RATING_CLOSING, period__isnull=False, emailed_at__isnull=True
        )
        .select_related("area")
        .order_by("pk")[:limit]
    )
    for reminder in pending:
        if not Reminder.objects.filter(pk=reminder.pk, emailed_at__isnull=True).update(
            emailed_at=clock.now()
        ):
            continue
        subject = reminder.message[:80]
        send_mass_mail(
            [(subject, reminder.message, None, [email]) for email in rater_emails(reminder.area)],
            fail_silently=True,
        )
        sent += 1
    return sent

"""Writes of the half-yearly star rating (星级评价): rating periods, the organisation
review, the quality inspection, and closing a period (computing its results).

Life of a period: ``scheduled`` → ``open`` → ``closed``. The periodic job
(``properties.rating_periods_tick``) creates, opens and closes periods on their
dates; a district administrator may also open or close one by hand. Users acting on
a period in the wrong state get a :class:`PeriodConflict` (HTTP 409); the job
(``actor=None``) simply does nothing then, so a second or concurrent run is harmless.

Closing computes the results in one transaction under the period's row lock: the
period's :class:`RatingResult` rows are deleted and written afresh from the sources,
so closing (or recomputing) again gives the same rows and never duplicates. Every
write that feeds a result (owners' ratings in ``services_residents``, reviews and
inspections here) first takes :func:`period_lock_for_rating`, so none can commit
after the close has read the sources.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import ROOT_KINDS, STREET_KINDS, Area, AreaKind
from governance import clock
from governance.audit import record_event
from governance.errors import Conflict
from governance.scoping import require_change

from .checklist import score_items
from .models import Inspection, OrgReview, PeriodStatus, RatingPeriod, RatingResult
from .rating_results import compute_results
from .selectors_ratings import company_serves, half_bounds

WEIGHTS = ("weight_owners", "weight_review", "weight_inspection")
THRESHOLDS = ("star5_min", "star4_min", "star3_min", "star2_min")
SETTINGS = ("opens_at", "closes_at", *WEIGHTS, *THRESHOLDS, "min_owner_ratings")
CENT = Decimal("0.01")


class PeriodConflict(Conflict):
    """The period is not in a state that allows this (HTTP 409)."""


class RatingPeriodClosed(ValidationError):
    """A rating, review or inspection for a period that is not open (HTTP 400, with
    a message saying when it closed or when it opens)."""


# --- the period's window and settings ---------------------------------------------------


def default_window(year: int, half: int) -> tuple[datetime.datetime, datetime.datetime]:
    """Local time (``TIME_ZONE``, Asia/Shanghai): H1 is rated from 1 June 00:00 to 15
    July 00:00, H2 from 1 December 00:00 to 15 January 00:00 of the next year."""
    tz = timezone.get_default_timezone()
    if half == 1:
        return datetime.datetime(year, 6, 1, tzinfo=tz), datetime.datetime(year, 7, 15, tzinfo=tz)
    return datetime.datetime(year, 12, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 15, tzinfo=tz)


def _local_date(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def _validate_settings(period: RatingPeriod) -> None:
    """Weights: whole percents adding up to 100. Thresholds: whole scores from 0 to
    100, strictly descending from 5 to 2 stars. At least one owners' rating. The
    window closes after it opens."""
    errors: dict[str, list[str]] = {}
    for name in (*WEIGHTS, *THRESHOLDS):
        value = _whole(getattr(period, name))
        if value is None or not 0 <= value <= 100:
            errors[name] = [_("Give a whole number from 0 to 100.")]
        else:
            setattr(period, name, value)
    if not errors.keys() & set(WEIGHTS):
        total = sum(getattr(period, name) for name in WEIGHTS)
        if total != 100:
            errors["weights"] = [
                _("The weights must add up to 100%%; they add up to %(sum)s%%.") % {"sum": total}
            ]
    if not errors.keys() & set(THRESHOLDS):
        values = [getattr(period, name) for name in THRESHOLDS]
        if any(a <= b for a, b in zip(values, values[1:], strict=False)):
            errors["thresholds"] = [
                _("The star thresholds must go down strictly from 5 stars to 2 stars; "
                  "they are %(values)s.") % {"values": " > ".join(map(str, values))}
            ]
    minimum = _whole(period.min_owner_ratings)
    if minimum is None or minimum < 1:
        errors["min_owner_ratings"] = [_("At least one owners' rating is needed.")]
    else:
        period.min_owner_ratings = minimum
    if period.opens_at and period.closes_at and period.closes_at <= period.opens_at:
        errors["closes_at"] = [_("The rating window must close after it opens.")]
    if errors:
        raise ValidationError(errors)


def _locked(period: RatingPeriod) -> RatingPeriod:
    return RatingPeriod.objects.select_for_update(of=("self",)).select_related("district").get(pk=period.pk)


def _require_admin(actor, period_or_district) -> None:
    if actor is not None:
        require_change(
            actor, period_or_district,
            message=_("Only the district's administrators may manage its rating periods."),
        )


@transaction.atomic
def period_create(*, actor, district: Area, year: int, half: int, opens_at=None, closes_at=None,
                  **settings) -> RatingPeriod:
    """Set up the rating of ``district``'s companies for a half year (scheduled).
    The window defaults to :func:`default_window`; weights, thresholds and the
    minimum number of owners' ratings to the model's defaults."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    _require_admin(actor, district)
    errors = {}
    if district.kind not in ROOT_KINDS:
        errors["district"] = _("Rating periods belong to a district or a county.")
    if half not in (1, 2):
        errors["half"] = _("Choose the first or the second half of the year.")
    if _whole(year) is None or not 2000 <= int(year) <= 2100:
        errors["year"] = _("Give a year between 2000 and 2100.")
    if errors:
        raise ValidationError(errors)
    default_opens, default_closes = default_window(int(year), half)
    now = clock.now()
    period = RatingPeriod(
        district=district, year=int(year), half=half, status=PeriodStatus.SCHEDULED,
        opens_at=opens_at or default_opens, closes_at=closes_at or default_closes, created_at=now,
        **settings,
    )
    _validate_settings(period)
    if period.closes_at <= now:
        raise ValidationError({"closes_at": _("The rating window must close in the future.")})
    duplicate = ValidationError({"half": _("%(district)s already has a rating period for %(label)s.")
                                 % {"district": district.name, "label": period.label}})
    if RatingPeriod.objects.filter(district=district, year=period.year, half=half).exists():
        raise duplicate
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError:
        raise duplicate from None
    record_event(obj=period, actor=actor, action="created", to_state=period.status)
    return period


@transaction.atomic
def period_update(*, actor, period: RatingPeriod, **changes) -> RatingPeriod:
    """Change a scheduled or open period's window, weights, thresholds or minimum.
    A closed period's settings no longer change (409)."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    _require_admin(actor, period)
    locked = _locked(period)
    if locked.status == PeriodStatus.CLOSED:
        raise PeriodConflict(
            _("The rating period %(label)s is closed; its settings can no longer change.")
            % {"label": locked.label}
        )
    changed = [name for name in SETTINGS if name in changes and getattr(locked, name) != changes[name]]
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    _validate_settings(locked)
    now = clock.now()
    if "opens_at" in changed and locked.status == PeriodStatus.OPEN:
        raise ValidationError({"opens_at": _("The period is open already; its opening time cannot change.")})
    if "closes_at" in changed and locked.closes_at <= now:
        raise ValidationError(
            {"closes_at": _("The rating window must close in the future; to end it now, close the period.")}
        )
    locked.save(update_fields=changed)
    record_event(obj=locked, actor=actor, action="updated", note=", ".join(changed))
    return locked


@transaction.atomic
def period_open(*, actor, period: RatingPeriod) -> RatingPeriod:
    """Open a scheduled period for rating (by hand, possibly early: the window then
    starts now). The job (``actor=None``) does nothing if it is not scheduled; the
    returned period's ``changed`` says whether this call opened it."""
    _require_admin(actor, period)
    locked = _locked(period)
    now = clock.now()
    locked.changed = False
    if locked.status != PeriodStatus.SCHEDULED:
        if actor is None:
            return locked
        raise PeriodConflict(
            _("The rating period %(label)s is %(status)s; only a scheduled period can be opened.")
            % {"label": locked.label, "status": locked.get_status_display()}
        )
    if actor is not None and locked.closes_at <= now:
        raise PeriodConflict(
            _("The rating window of %(label)s ended on %(date)s; move its closing time first.")
            % {"label": locked.label, "date": _local_date(locked.closes_at)}
        )
    locked.status = PeriodStatus.OPEN
    locked.opened_at = now
    locked.opens_at = min(locked.opens_at, now)
    locked.save(update_fields=["status", "opened_at", "opens_at"])
    locked.changed = True
    record_event(obj=locked, actor=actor, action="opened",
                 from_state=PeriodStatus.SCHEDULED, to_state=PeriodStatus.OPEN)
    return locked


def period_close(*, actor, period: RatingPeriod) -> RatingPeriod:
    """Close an open period and publish its results (:func:`compute_results`), in one
    transaction under the period's row lock.

    Closing a period that is not open: the job (``actor=None``) does nothing and
    writes nothing (a second or concurrent run finds it closed); a user gets a
    :class:`PeriodConflict` (HTTP 409). An administrator may close before
    ``closes_at``; after a fix, :func:`period_recompute` redoes a closed period.
    The returned period's ``changed`` says whether this call closed it.
    """
    _require_admin(actor, period)
    with transaction.atomic():
        locked = _locked(period)
        locked.changed = False
        if locked.status != PeriodStatus.OPEN:
            if actor is None:
                return locked
            if locked.status == PeriodStatus.CLOSED:
                message = _("The rating period %(label)s is closed already.")
            else:
                message = _("The rating period %(label)s is not open yet; open it first.")
            raise PeriodConflict(message % {"label": locked.label})
        count = compute_results(locked)
        locked.status = PeriodStatus.CLOSED
        locked.closed_at = clock.now()
        locked.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        locked.changed = True
        record_event(obj=locked, actor=actor, action="closed", from_state=PeriodStatus.OPEN,
                     to_state=PeriodStatus.CLOSED,
                     note=_("%(count)s companies in the results") % {"count": count})
    return locked


def _snapshot(period) -> dict[int, tuple]:
    rows = RatingResult.objects.filter(period=period).values_list(
        "company_id", "owner_count", "owner_score", "review_score", "inspection_score",
        "total", "stars", "status", "rank",
    )
    return {row[0]: row[1:] for row in rows}


@transaction.atomic
def period_recompute(*, actor, period: RatingPeriod) -> RatingPeriod:
    """Compute a closed period's results again (after an administrator's fix of a
    source). With no source changed, the rows come out exactly the same."""
    _require_admin(actor, period)
    locked = _locked(period)
    if locked.status != PeriodStatus.CLOSED:
        raise PeriodConflict(
            _("Only a closed period's results can be recomputed; %(label)s is %(status)s.")
            % {"label": locked.label, "status": locked.get_status_display()}
        )
    before = _snapshot(locked)
    count = compute_results(locked)
    after = _snapshot(locked)
    changed = sum(1 for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk))
    record_event(obj=locked, actor=actor, action="recomputed",
                 note=_("%(count)s companies in the results, %(changed)s changed")
                 % {"count": count, "changed": changed})
    return locked


# --- the raters' writes --------------------------------------------------------------------


def period_lock_for_rating(period: RatingPeriod) -> RatingPeriod:
    """Take a SHARE lock on the period's row and return it re-read; raise
    :class:`RatingPeriodClosed` unless it is open and its window has not ended.

    Call it inside the transaction that writes an owners' rating, a review or an
    inspection, before writing. The race it closes: the close job locks the period
    row FOR UPDATE and then reads the ratings. Without this lock a rating could check
    "open", the close could then read the ratings and commit, and the rating could
    commit afterwards: a rating accepted but missing from the published results.
    With it, FOR SHARE and FOR UPDATE exclude each other, while raters do not block
    one another (FOR SHARE locks are shared):

    * a rater holding the share lock makes the close wait until the rater commits;
      the close's queries then see the new rating (READ COMMITTED: each statement
      takes a fresh snapshot, and they run after the lock was granted);
    * a close holding the update lock makes the rater wait until the close commits;
      the rater's FOR SHARE then returns the row as committed (status ``closed``),
      and the rating is refused.

    On SQLite (development only, no row locks; writers are serialised anyway) it is
    a plain re-read.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise TransactionManagementError("period_lock_for_rating() must run inside a transaction.")
    table = connection.ops.quote_name(RatingPeriod._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    rows = list(RatingPeriod.objects.raw(f"SELECT * FROM {table} WHERE id = %s{lock}", [period.pk]))
    if not rows:
        raise RatingPeriod.DoesNotExist
    fresh = rows[0]
    now = clock.now()
    if fresh.status == PeriodStatus.SCHEDULED and now < fresh.closes_at:
        raise RatingPeriodClosed(
            _("The rating period %(label)s opens on %(date)s; ratings are not accepted yet.")
            % {"label": fresh.label, "date": _local_date(fresh.opens_at)},
            code="period_not_open",
        )
    if fresh.status != PeriodStatus.OPEN or now >= fresh.closes_at:
        ended = fresh.closed_at or fresh.closes_at
        raise RatingPeriodClosed(
            _("The rating period %(label)s closed on %(date)s; ratings are no longer accepted.")
            % {"label": fresh.label, "date": _local_date(min(ended, fresh.closes_at))},
            code="period_closed",
        )
    return fresh


def _score(value) -> Decimal:
    try:
        score = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        score = None
    if score is None or not score.is_finite() or not 0 <= score <= 100:
        raise ValidationError({"score": _("Give a score from 0 to 100.")})
    return score


def _check_reviewer_area(period: RatingPeriod, area: Area) -> None:
    in_district = area.path.startswith(period.district.path)
    kind_ok = area.kind in STREET_KINDS or area.kind == AreaKind.COMMUNITY
    if area.kind == AreaKind.GRID:  # a park's grid stands in for a community
        kind_ok = not Area.objects.ancestors_of(area).filter(kind=AreaKind.COMMUNITY).exists()
    if not (in_district and kind_ok):
        raise ValidationError(
            {"area": _("Reviews are given by a community or a street of %(district)s.")
             % {"district": period.district.name}}
        )


@transaction.atomic
def org_review_submit(*, actor, period: RatingPeriod, company, area: Area, score, note: str = ""):
    """A community's or street's review score of a company serving a compound inside
    it during the period. One per node, company and period: reviewing again replaces
    the score (audited "replaced"). Returns the review; ``review.replaced`` says
    whether an earlier score was replaced."""
    require_change(actor, area, message=_("You may only review on behalf of an area you work for."))
    period = period_lock_for_rating(period)
    _check_reviewer_area(period, area)
    score = _score(score)
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    if not company_serves(period, company, area):
        raise ValidationError(
            {"company": _("%(company)s did not serve a compound in %(area)s during %(label)s.")
             % {"company": company.name, "area": area.name, "label": period.label}}
        )
    now = clock.now()
    reviewer = actor if getattr(actor, "is_authenticated", False) else None
    review = OrgReview.objects.select_for_update().filter(period=period, company=company, area=area).first()
    if review is None:
        try:
            with transaction.atomic():
                review = OrgReview.objects.create(
                    period=period, company=company, area=area, score=score, note=note,
                    reviewer=reviewer, reviewed_at=now,
                )
        except IntegrityError:  # a colleague's review of the same company came first
            review = OrgReview.objects.select_for_update().get(period=period, company=company, area=area)
        else:
            record_event(obj=review, actor=actor, action="created", to_state=score)
            review.replaced = False
            return review
    if review.score == score and review.note == note:
        review.replaced = False
        return review
    old = review.score
    review.score, review.note, review.reviewer, review.reviewed_at = score, note, reviewer, now
    review.save(update_fields=["score", "note", "reviewer", "reviewed_at"])
    record_event(obj=review, actor=actor, action="replaced", from_state=old, to_state=score)
    review.replaced = True
    return review


@transaction.atomic
def inspection_record(*, actor, period: RatingPeriod, company, compound: Area,
                      inspected_on: datetime.date, items: dict, note: str = "") -> Inspection:
    """A quality inspection of ``company`` at ``compound``: points per checklist item
    (``properties.checklist``); the score is their sum. The company's inspection
    score for the period is the mean of its inspections."""
    require_change(actor, compound, message=_("You may only inspect compounds in your area."))
    period = period_lock_for_rating(period)
    errors = {}
    if compound.kind != AreaKind.COMPOUND or not compound.path.startswith(period.district.path):
        errors["compound"] = _("Choose a residential compound of %(district)s.") % {
            "district": period.district.name}
    elif not company_serves(period, company, compound):
        errors["company"] = _("%(company)s did not serve %(compound)s during %(label)s.") % {
            "company": company.name, "compound": compound.name, "label": period.label}
    today = timezone.localdate(clock.now())
    start, _end = half_bounds(period.year, period.half)
    if inspected_on is None or not start <= inspected_on <= today:
        errors["inspected_on"] = _("Give the inspection's date, from %(start)s to today.") % {
            "start": start.isoformat()}
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = _("Keep the note under 300 characters.")
    try:
        points, score = score_items(items)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        period=period, company=company, compound=compound, items=points, score=score,
        inspected_on=inspected_on, note=note, created_at=clock.now(),
        inspector=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_event(obj=inspection, actor=actor, action="created", to_state=score)
    return inspection

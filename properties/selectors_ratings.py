"""Reads of the half-yearly star rating (星级评价).

* :func:`companies_rated`: which companies a period rates;
* :func:`period_results` and :func:`company_history`: the published results (also
  used by the public pages, so they carry nothing personal: companies, scores,
  counts);
* :func:`period_progress`: how far the rating has got, per company, for staff.
"""

from __future__ import annotations

import datetime

from django.db.models import Avg, Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import (
    COMPANY_MODES,
    Inspection,
    OrgReview,
    OwnerRating,
    PeriodStatus,
    PropertyCompany,
    RatingPeriod,
    RatingResult,
    ServiceMode,
)

_COMPANY_KINDS = sorted(str(k) for k in COMPANY_MODES)


def half_bounds(year: int, half: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the half year (H1: 1 Jan–30 Jun, H2: 1 Jul–31 Dec)."""
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def services_during(district, year: int, half: int):
    """Company service contracts (professional, trust, emergency) of compounds inside
    ``district``'s subtree that overlap the half year."""
    start, end = half_bounds(year, half)
    return ServiceMode.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        kind__in=_COMPANY_KINDS,
        company__isnull=False,
        compound__path__startswith=district.path,
        started_on__lte=end,
    )


def period_services(period: RatingPeriod):
    return services_during(period.district, period.year, period.half)


def companies_rated(period: RatingPeriod):
    """The companies ``period`` rates: those serving, as a company (professional,
    trust-model or emergency), a compound within the period's district at any time
    of the half year."""
    return PropertyCompany.objects.filter(pk__in=period_services(period).values("company_id"))


def companies_rated_for(user, period: RatingPeriod):
    """The companies ``period`` rates that served a compound inside the user's
    subtrees (a district's staff: all of them; a community's: those serving there)."""
    seen = period_services(period).filter(pk__in=ServiceMode.objects.visible_to(user).values("pk"))
    return PropertyCompany.objects.filter(pk__in=seen.values("company_id"))


def company_serves(period: RatingPeriod, company, area) -> bool:
    """Whether ``company`` served a compound inside ``area`` (a compound, a community,
    a street) during the period's half year."""
    return period_services(period).filter(company=company, compound__path__startswith=area.path).exists()


def period_results(period: RatingPeriod):
    """The period's results, ranked: rated companies by rank (ties by name), then the
    unranked (incomplete, insufficient sample) by name. Each row has its company and
    the three source scores, the owners' count, the weighted total and the stars."""
    return (
        RatingResult.objects.filter(period=period)
        .select_related("company")
        .order_by(F("rank").asc(nulls_last=True), "company__name", "company_id")
    )


def company_history(company):
    """The company's results in closed periods, newest first."""
    return (
        RatingResult.objects.filter(company=company, period__status=PeriodStatus.CLOSED)
        .select_related("period", "period__district")
        .order_by("-period__year", "-period__half", "period__district__name", "period_id")
    )


def period_progress(user, period: RatingPeriod):
    """Per company the period rates that serves inside the user's subtrees (for a
    district's staff: all of them): owners' ratings, the
    organisation reviews and the quality inspections recorded so far, with the
    owners' mean score. Ordered by company name. A queryset of companies annotated
    ``n_owner_ratings``, ``owner_mean``, ``n_reviews``, ``n_inspections``."""
    mean = (
        OwnerRating.objects.filter(period=period, company=OuterRef("pk"))
        .order_by()
        .values("company")
        .annotate(m=Avg("score"))
        .values("m")
    )

    def count(model):
        rows = (
            model.objects.filter(period=period, company=OuterRef("pk"))
            .order_by()
            .values("company")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return (
        companies_rated_for(user, period)
        .annotate(
            n_owner_ratings=count(OwnerRating),
            owner_mean=Subquery(mean, output_field=DecimalField(max_digits=5, decimal_places=2)),
            n_reviews=count(OrgReview),
            n_inspections=count(Inspection),
        )
        .order_by("name", "pk")
    )

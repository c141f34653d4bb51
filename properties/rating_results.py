"""Computing a rating period's results (星级评价): the arithmetic of closing a period.

Called by ``services_ratings.period_close`` and ``period_recompute`` inside the
transaction that holds the period's row lock; nothing else writes
:class:`~properties.models.RatingResult` rows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from .models import Inspection, OrgReview, OwnerRating, RatingPeriod, RatingResult, ResultStatus
from .selectors_ratings import companies_rated

CENT = Decimal("0.01")


def _mean(total, n) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total) / Decimal(n)).quantize(CENT, rounding=ROUND_HALF_UP)


def _sources(model, period):
    """{company id: (count, mean score rounded to cents)}: one GROUP BY query. The mean
    is SUM/COUNT in exact decimals, rounded half up."""
    rows = (
        model.objects.filter(period=period).order_by().values("company_id")
        .annotate(n=Count("id"), total=Sum("score")).values_list("company_id", "n", "total")
    )
    return {company_id: (n, _mean(total, n)) for company_id, n, total in rows}


def weighted_total(period: RatingPeriod, owner, review, inspection) -> Decimal | None:
    """(w_o·owners + w_r·review + w_i·inspection) / 100, rounded half up to cents;
    ``None`` if a source that has weight is missing."""
    total = Decimal(0)
    for weight, score in ((period.weight_owners, owner), (period.weight_review, review),
                          (period.weight_inspection, inspection)):
        if weight and score is None:
            return None
        total += Decimal(weight) * (score or 0)
    return (total / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def result_for(period: RatingPeriod, company_id: int, owners, reviews, inspections) -> RatingResult:
    """One company's result from its sources' (count, mean) pairs (``None``: none).

    * fewer owners' ratings than the period's minimum: insufficient sample (scores
      kept, no stars, no rank);
    * otherwise a weighted source missing: incomplete (no stars, no rank);
    * otherwise rated, with stars from the period's thresholds.

    The total is computed from the published (cent-rounded) source scores, so
    anybody can check it by hand.
    """
    owner_count, owner_score = owners or (0, None)
    review_score = reviews[1] if reviews else None
    inspection_score = inspections[1] if inspections else None
    total = weighted_total(period, owner_score, review_score, inspection_score)
    if owner_count < period.min_owner_ratings:
        status = ResultStatus.INSUFFICIENT_SAMPLE
    elif total is None:
        status = ResultStatus.INCOMPLETE
    else:
        status = ResultStatus.RATED
    return RatingResult(
        period=period, company_id=company_id, owner_count=owner_count, owner_score=owner_score,
        review_score=review_score, inspection_score=inspection_score, total=total,
        stars=period.stars_for(total) if status == ResultStatus.RATED else None, status=status,
    )


def assign_ranks(results) -> None:
    """Rank the rated results by total, highest first; equal totals share a rank and
    the next rank skips (1, 2, 2, 4)."""
    rated = sorted((r for r in results if r.status == ResultStatus.RATED), key=lambda r: -r.total)
    previous, rank = None, 0
    for position, result in enumerate(rated, start=1):
        if result.total != previous:
            rank, previous = position, result.total
        result.rank = rank


def compute_results(period: RatingPeriod) -> int:
    """Replace the period's results: one row per company the period rates (and per
    company with any source, should its service have been removed since). Run it
    inside the transaction that holds the period's row lock. Returns the row count.

    Three GROUP BY queries read the sources; the weighting, stars and ranks are
    computed in exact decimals; the rows are deleted and bulk inserted.
    """
    owners = _sources(OwnerRating, period)
    reviews = _sources(OrgReview, period)
    inspections = _sources(Inspection, period)
    company_ids = set(companies_rated(period).values_list("pk", flat=True))
    company_ids |= owners.keys() | reviews.keys() | inspections.keys()
    results = [
        result_for(period, pk, owners.get(pk), reviews.get(pk), inspections.get(pk))
        for pk in sorted(company_ids)
    ]
    assign_ranks(results)
    RatingResult.objects.filter(period=period).delete()
    RatingResult.objects.bulk_create(results, batch_size=2000)
    return len(results)

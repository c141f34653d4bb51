"""Half-yearly star ratings of property companies (星级评价), the households that rate,
and mediated property disputes.

A :class:`RatingPeriod` belongs to a district and a half year. Three sources score each
company on 0–100: owners (:class:`OwnerRating`, one per household per period),
organisation review (:class:`OrgReview`, one per reviewing community/street) and the
quality inspection (:class:`Inspection`, a checklist). Closing the period writes one
:class:`RatingResult` per company: weighted total, stars, rank.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Area

from ..access import PropertyScopedQuerySet
from .companies import PropertyCompany


def _now():
    from governance import clock

    return clock.now()


SCORE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def _score_field(verbose, **kw):
    return models.DecimalField(verbose, max_digits=5, decimal_places=2, validators=SCORE, **kw)


class Half(models.IntegerChoices):
    H1 = 1, _("First half (January–June)")
    H2 = 2, _("Second half (July–December)")


class PeriodStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open for rating")
    CLOSED = "closed", _("Closed, results published")


class RatingPeriodQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "district__path"
    scope_area_lookup = "district_id"
    company_lookup = "results__company_id"


class RatingPeriod(models.Model):
    """One district's rating of its property companies for one half year.

    Weights are whole percents summing to 100 (owners 50 by default). Star thresholds
    are the lowest totals for 5, 4, 3 and 2 stars; below ``star2_min`` is 1 star. A
    company with fewer than ``min_owner_ratings`` owners' ratings gets no stars
    ("insufficient sample").
    """

    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="rating_periods", verbose_name=_("district")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(_("half year"), choices=Half.choices)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.SCHEDULED
    )
    weight_owners = models.PositiveSmallIntegerField(_("owners' weight (%)"), default=50)
    weight_review = models.PositiveSmallIntegerField(_("organisation review weight (%)"), default=25)
    weight_inspection = models.PositiveSmallIntegerField(_("quality inspection weight (%)"), default=25)
    star5_min = models.PositiveSmallIntegerField(_("5 stars from"), default=90)
    star4_min = models.PositiveSmallIntegerField(_("4 stars from"), default=80)
    star3_min = models.PositiveSmallIntegerField(_("3 stars from"), default=70)
    star2_min = models.PositiveSmallIntegerField(_("2 stars from"), default=60)
    min_owner_ratings = models.PositiveIntegerField(_("minimum owners' ratings"), default=10)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("closed by"),
    )
    created_at = models.DateTimeField(_("created at"), default=_now)

    objects = RatingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating period")
        verbose_name_plural = _("rating periods")
        ordering = ["-year", "-half", "district_id"]
        constraints = [
            models.CheckConstraint(condition=Q(half__in=Half.values), name="ratingperiod_half_valid"),
            models.CheckConstraint(condition=Q(status__in=PeriodStatus.values), name="ratingperiod_status_valid"),
            # Whole percents summing to exactly 100.
            models.CheckConstraint(
                condition=Q(weight_owners__lte=100, weight_review__lte=100, weight_inspection__lte=100)
                & Q(weight_inspection=100 - F("weight_owners") - F("weight_review")),
                name="ratingperiod_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(star5_min__lte=100, star5_min__gt=F("star4_min"))
                & Q(star4_min__gt=F("star3_min"))
                & Q(star3_min__gt=F("star2_min")),
                name="ratingperiod_thresholds_descending",
            ),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="ratingperiod_closes_after_opening"),
            models.UniqueConstraint(fields=["district", "year", "half"], name="ratingperiod_unique"),
        ]

    def __str__(self):
        return f"{self.district} {self.year} H{self.half}"

    @property
    def label(self) -> str:
        return f"{self.year} H{self.half}"

    def stars_for(self, total) -> int:
        for stars, minimum in ((5, self.star5_min), (4, self.star4_min), (3, self.star3_min), (2, self.star2_min)):
            if total >= minimum:
                return stars
        return 1


class HouseholdQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "compound__path"
    scope_area_lookup = "compound_id"


class Household(models.Model):
    """A household (户) of a compound, as far as rating needs it: where it is and a
    rating code handed to it on paper. No names, no phone numbers. The code lets the
    household rate once per period (a second rating replaces the first)."""

    compound = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="rating_households", verbose_name=_("compound")
    )
    building = models.CharField(_("building"), max_length=20)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    code = models.CharField(_("rating code"), max_length=16, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=_now)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = pgettext_lazy("household records", "households")
        ordering = ["compound_id", "building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "building", "unit", "room"], name="household_unique"),
        ]

    def __str__(self):
        unit = f"{self.unit}-" if self.unit else ""
        return f"{self.compound} {self.building}-{unit}{self.room}"


class OwnerRatingQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "compound__path"
    scope_area_lookup = "compound_id"


class OwnerRating(models.Model):
    """A household's rating of the company serving its compound in one period.
    Five aspects of 1–5 stars; ``score`` = their mean × 20 (0–100 scale). One row per
    household and period: rating again replaces it (``times_replaced`` counts)."""

    period = models.ForeignKey(RatingPeriod, on_delete=models.CASCADE, related_name="owner_ratings",
                               verbose_name=_("rating period"))
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="ratings",
                                  verbose_name=_("household"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.CASCADE, related_name="owner_ratings",
                                verbose_name=_("company"))
    compound = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("compound"))
    service = models.PositiveSmallIntegerField(_("service attitude"))
    cleanliness = models.PositiveSmallIntegerField(_("cleanliness and greenery"))
    security = models.PositiveSmallIntegerField(_("safety and order"))
    maintenance = models.PositiveSmallIntegerField(_("repairs and facilities"))
    transparency = models.PositiveSmallIntegerField(_("fees and open accounts"))
    score = _score_field(_("score"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=_now)
    times_replaced = models.PositiveSmallIntegerField(_("times replaced"), default=0)

    objects = OwnerRatingQuerySet.as_manager()

    ASPECTS = ("service", "cleanliness", "security", "maintenance", "transparency")

    class Meta:
        verbose_name = _("owner's rating")
        verbose_name_plural = _("owners' ratings")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "household"], name="ownerrating_one_per_household"),
            models.CheckConstraint(
                condition=Q(service__gte=1, service__lte=5, cleanliness__gte=1, cleanliness__lte=5,
                            security__gte=1, security__lte=5, maintenance__gte=1, maintenance__lte=5,
                            transparency__gte=1, transparency__lte=5),
                name="ownerrating_aspects_1_5",
            ),
        ]
        indexes = [models.Index(fields=["period", "company"], name="ownerrating_period_company")]

    def __str__(self):
        return f"{self.household} → {self.company} ({self.score})"


class OrgReviewQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"


class OrgReview(models.Model):
    """The organisation review: a community or street scores a company it oversees
    (0–100). One per reviewing node, company and period; a new score replaces it."""

    period = models.ForeignKey(RatingPeriod, on_delete=models.CASCADE, related_name="org_reviews",
                               verbose_name=_("rating period"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.CASCADE, related_name="org_reviews",
                                verbose_name=_("company"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by (node)"))
    score = _score_field(_("score"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("reviewer"))
    reviewed_at = models.DateTimeField(_("reviewed at"), default=_now)

    objects = OrgReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation review")
        verbose_name_plural = _("organisation reviews")
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "company", "area"], name="orgreview_one_per_node"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="orgreview_score_0_100"),
        ]

    def __str__(self):
        return f"{self.area} → {self.company}: {self.score}"


class InspectionQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "compound__path"
    scope_area_lookup = "compound_id"
    company_lookup = "company_id"


class Inspection(models.Model):
    """A quality inspection of a company at one compound: points per checklist item
    (``properties.checklist``), ``score`` is their sum (0–100). A company's inspection
    score for the period is the mean of its inspections."""

    period = models.ForeignKey(RatingPeriod, on_delete=models.CASCADE, related_name="inspections",
                               verbose_name=_("rating period"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.CASCADE, related_name="inspections",
                                verbose_name=_("company"))
    compound = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("compound"))
    items = models.JSONField(_("points per checklist item"), default=dict)
    score = _score_field(_("score"))
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("inspector"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=_now)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("quality inspection")
        verbose_name_plural = _("quality inspections")
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="inspection_score_0_100"),
        ]
        indexes = [models.Index(fields=["period", "company"], name="inspection_period_company")]

    def __str__(self):
        return f"{self.company} @ {self.compound}: {self.score}"


class ResultStatus(models.TextChoices):
    RATED = "rated", _("Rated")
    INSUFFICIENT_SAMPLE = "insufficient_sample", _("Insufficient sample")
    INCOMPLETE = "incomplete", _("Incomplete (a source is missing)")


class RatingResultQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "period__district__path"
    scope_area_lookup = "period__district_id"
    company_lookup = "company_id"


class RatingResult(models.Model):
    """One company's result in a closed period. Written only by closing the period
    (``properties.services_ratings.period_close``), which replaces the period's rows
    as a whole, so rerunning it gives the same rows and no duplicates."""

    period = models.ForeignKey(RatingPeriod, on_delete=models.CASCADE, related_name="results",
                               verbose_name=_("rating period"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.CASCADE, related_name="rating_results",
                                verbose_name=_("company"))
    owner_count = models.PositiveIntegerField(_("owners' ratings"))
    owner_score = _score_field(_("owners' score"), null=True, blank=True)
    review_score = _score_field(_("organisation review score"), null=True, blank=True)
    inspection_score = _score_field(_("quality inspection score"), null=True, blank=True)
    total = _score_field(_("weighted total"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ResultStatus.choices)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)

    objects = RatingResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating result")
        verbose_name_plural = _("rating results")
        ordering = ["period_id", "rank", "company_id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "company"], name="ratingresult_unique"),
            models.CheckConstraint(condition=Q(status__in=ResultStatus.values), name="ratingresult_status_valid"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="ratingresult_stars_1_5"
            ),
            models.CheckConstraint(
                condition=~Q(status=ResultStatus.RATED) | Q(stars__isnull=False, total__isnull=False),
                name="ratingresult_rated_has_stars",
            ),
        ]

    def __str__(self):
        return f"{self.period} {self.company}: {self.stars or '-'}"


class DisputeOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved by mediation")
    PARTLY = "partly", _("Partly resolved")
    UNRESOLVED = "unresolved", _("Not resolved")
    REFERRED = "referred", _("Referred (court, arbitration, department)")


class DisputeQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "compound__path"
    scope_area_lookup = "compound_id"
    company_lookup = "company_id"


class Dispute(models.Model):
    """A mediated property dispute (物业纠纷调解), counted per node and half year."""

    Outcome = DisputeOutcome

    compound = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="property_disputes",
                                 verbose_name=_("compound"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="disputes", verbose_name=_("company"))
    parties = models.CharField(_("parties"), max_length=200,
                               help_text=_("Who disagreed, e.g. \"owners of building 3 and the company\" (no personal data)."))
    subject = models.CharField(_("subject"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=12, choices=DisputeOutcome.choices)
    mediated_on = models.DateField(_("mediated on"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("created at"), default=_now)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("property dispute")
        verbose_name_plural = _("property disputes")
        ordering = ["-mediated_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=DisputeOutcome.values), name="dispute_outcome_valid"),
        ]

    def __str__(self):
        return self.subject

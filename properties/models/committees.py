"""Owners' committees (业委会) and self-management committees (自管委): terms and
re-elections, members, major-decision pre-reports and the reminders sent about them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communities.models import Area

from ..access import PropertyScopedQuerySet


def _now():
    from governance import clock

    return clock.now()


class CommitteeKind(models.TextChoices):
    OWNERS = "owners", _("Owners' committee (业委会)")
    SELF_MANAGEMENT = "self_management", _("Self-management committee (自管委)")


class CommitteeQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "community__path"
    scope_area_lookup = "community_id"

    def active(self):
        return self.filter(dissolved_on__isnull=True)

    def overdue(self, today):
        """Active committees whose term ended with no new term recorded."""
        return self.active().filter(term_ends_on__lt=today)


class Committee(models.Model):
    """An owners' or self-management committee of one compound or a group of compounds.

    ``community`` is the community (or grid) the compounds belong to: the anchor for
    access and roll-ups. The current term is ``term_number``/``term_started_on``/
    ``term_ends_on``; earlier terms are kept in :class:`CommitteeTerm`. A committee
    whose term has ended without a re-election (换届) is overdue.
    """

    Kind = CommitteeKind

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=CommitteeKind.choices)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="property_committees",
        verbose_name=_("community"),
    )
    compounds = models.ManyToManyField(
        Area, related_name="committees", verbose_name=_("compounds"),
    )
    term_number = models.PositiveSmallIntegerField(_("term"), default=1)
    term_started_on = models.DateField(_("term started on"))
    term_ends_on = models.DateField(_("term ends on"), db_index=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["community_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CommitteeKind.values), name="committee_kind_valid"),
            models.CheckConstraint(
                condition=Q(term_ends_on__gt=F("term_started_on")), name="committee_term_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name


class CommitteeTerm(models.Model):
    """A past or current term of a committee (written by the re-election service)."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="terms", verbose_name=_("committee")
    )
    number = models.PositiveSmallIntegerField(_("term"))
    started_on = models.DateField(_("started on"))
    ends_on = models.DateField(_("ends on"))
    elected_on = models.DateField(_("elected on"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["committee_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="committeeterm_unique"),
        ]

    def __str__(self):
        return f"{self.committee} #{self.number}"


class MemberRole(models.TextChoices):
    DIRECTOR = "director", _("Director")
    DEPUTY = "deputy", _("Deputy director")
    MEMBER = "member", _("Member")


class CommitteeMemberQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "committee__community__path"
    scope_area_lookup = "committee__community_id"

    def current(self):
        return self.filter(left_on__isnull=True)


class CommitteeMember(models.Model):
    """A member of a committee. Only a name is kept (no phone or ID number)."""

    Role = MemberRole

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("committee")
    )
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_community_cadre = models.BooleanField(_("community cadre"), default=False)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee_id", "role", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=MemberRole.values), name="committeemember_role_valid"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="committeemember_leaves_after_joining",
            ),
            # One sitting director per committee.
            models.UniqueConstraint(
                fields=["committee"], condition=Q(role=MemberRole.DIRECTOR, left_on__isnull=True),
                name="committeemember_one_director",
            ),
        ]
        indexes = [models.Index(fields=["committee", "left_on"], name="committeemember_current")]

    def __str__(self):
        return f"{self.name} · {self.get_role_display()}"


class DecisionKind(models.TextChoices):
    CHANGE_COMPANY = "change_company", _("Changing the property company")
    REPAIR_FUND = "repair_fund", _("Large use of the repair fund")
    FEE_CHANGE = "fee_change", _("Changing the property fee")
    COMMON_PARTS = "common_parts", _("Use of common parts or income")
    OTHER = "other", _("Other major decision")


class DecisionStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting the community")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    OBJECTED = "objected", _("Objections raised")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DecisionReportQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "committee__community__path"
    scope_area_lookup = "committee__community_id"


class DecisionReport(models.Model):
    """重大物业决策事项事前报告: a committee reports a major decision before the date it is
    to be taken; the community acknowledges it or raises objections. A report filed
    after the decision date is flagged late. The time line is the audit trail."""

    Kind = DecisionKind
    Status = DecisionStatus

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="decision_reports", verbose_name=_("committee")
    )
    kind = models.CharField(_("kind of decision"), max_length=16, choices=DecisionKind.choices)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    amount_yuan = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_on = models.DateField(_("decision date"))
    filed_at = models.DateTimeField(_("filed at"), default=_now)
    is_late = models.BooleanField(_("filed late"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.FILED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("filed by"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("community's answer"), blank=True)

    objects = DecisionReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision pre-report")
        verbose_name_plural = _("decision pre-reports")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DecisionKind.values), name="decisionreport_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=DecisionStatus.values), name="decisionreport_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "decision_on"], name="decisionreport_pending")]

    def __str__(self):
        return self.title


class ReminderKind(models.TextChoices):
    REELECTION_90 = "reelection_90", _("Re-election due in 90 days")
    REELECTION_30 = "reelection_30", _("Re-election due in 30 days")
    REELECTION_OVERDUE = "reelection_overdue", _("Re-election overdue")
    RATING_CLOSING = "rating_closing", _("Rating period closing soon")


class ReminderQuerySet(PropertyScopedQuerySet):
    scope_path_lookup = "area__path"
    scope_area_lookup = "area_id"


class Reminder(models.Model):
    """A reminder the periodic jobs sent: the notice staff see, and the record that
    makes sending exactly-once (unique per kind, subject and ``key``: the term's end
    date for a re-election, the period for a rating reminder)."""

    Kind = ReminderKind

    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("area"))
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders",
        verbose_name=_("committee"),
    )
    period = models.ForeignKey(
        "properties.RatingPeriod", on_delete=models.CASCADE, null=True, blank=True,
        related_name="reminders", verbose_name=_("rating period"),
    )
    key = models.CharField(_("key"), max_length=40)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=_now)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
            models.UniqueConstraint(fields=["kind", "committee", "key"], name="reminder_once_committee",
                                    condition=Q(committee__isnull=False)),
            models.UniqueConstraint(fields=["kind", "period", "area", "key"], name="reminder_once_period",
                                    condition=Q(period__isnull=False)),
        ]

    def __str__(self):
        return self.message

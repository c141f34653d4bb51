"""Read-only admin views of the property records: every change goes through the
services (pages and API), which check scope and write the audit trail."""

from django.contrib import admin

from governance.admin import ReadOnlyAdmin

from .models import (
    Committee,
    CompanyStaff,
    DecisionReport,
    Dispute,
    PropertyCompany,
    RatingPeriod,
    RatingResult,
    Reminder,
    ServiceMode,
)


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "area", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "credit_code"]


@admin.register(CompanyStaff)
class CompanyStaffAdmin(ReadOnlyAdmin):
    list_display = ["user", "company", "created_at"]


@admin.register(ServiceMode)
class ServiceModeAdmin(ReadOnlyAdmin):
    list_display = ["compound", "kind", "company", "responsible_body", "started_on", "ended_on"]
    list_filter = ["kind"]


@admin.register(Committee)
class CommitteeAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "community", "term_number", "term_ends_on", "dissolved_on"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(DecisionReport)
class DecisionReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "committee", "kind", "decision_on", "is_late", "status"]
    list_filter = ["status", "is_late", "kind"]


@admin.register(RatingPeriod)
class RatingPeriodAdmin(ReadOnlyAdmin):
    list_display = ["district", "year", "half", "status", "opens_at", "closes_at"]
    list_filter = ["status"]


@admin.register(RatingResult)
class RatingResultAdmin(ReadOnlyAdmin):
    list_display = ["period", "company", "total", "stars", "status", "rank"]
    list_filter = ["status", "stars"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["kind", "area", "message", "created_at", "emailed_at"]
    list_filter = ["kind"]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["subject", "compound", "company", "outcome", "mediated_on"]
    list_filter = ["outcome"]

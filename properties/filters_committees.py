"""FilterSets of committees, their members, decision pre-reports and reminders, shared
by the API and the staff pages (both pass the request, so choices are limited to what
the caller sees)."""

from __future__ import annotations

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.filters import SearchFilter
from communities.models import AreaKind
from governance import clock
from governance.filters import WithinFilter, visible_areas

from .models import (
    Committee,
    CommitteeKind,
    CommitteeMember,
    DecisionKind,
    DecisionReport,
    DecisionStatus,
    MemberRole,
    Reminder,
    ReminderKind,
)


def visible_compounds(request):
    return visible_areas(request).filter(kind=AreaKind.COMPOUND)


def visible_communities(request):
    return visible_areas(request).filter(kind__in=[AreaKind.COMMUNITY, AreaKind.GRID])


def visible_committees(request):
    return Committee.objects.visible_to(getattr(request, "user", None))


def local_today() -> datetime.date:
    return timezone.localdate(clock.now())


class CommitteeFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CommitteeKind.choices, label=_("kind"))
    within = WithinFilter(path_lookup="community__path")
    community = django_filters.ModelChoiceFilter(queryset=visible_communities, label=_("community"))
    compound = django_filters.ModelChoiceFilter(
        queryset=visible_compounds, field_name="compounds", label=_("compound"), distinct=False
    )
    active = django_filters.BooleanFilter(
        field_name="dissolved_on", lookup_expr="isnull", label=_("active (not dissolved)")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("re-election overdue"))
    due_within_days = django_filters.NumberFilter(
        method="filter_due_within", min_value=0, max_value=3660,
        label=_("term ends within (days)"),
    )
    search = SearchFilter(fields=("name",))

    class Meta:
        model = Committee
        fields = ["kind", "within", "community", "compound", "active", "overdue", "due_within_days", "search"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        today = local_today()
        condition = {"dissolved_on__isnull": True, "term_ends_on__lt": today}
        return qs.filter(**condition) if value else qs.exclude(**condition)

    def filter_due_within(self, qs, name, value):
        """Active committees whose term ends between today and ``value`` days from now."""
        if value is None:
            return qs
        today = local_today()
        return qs.filter(
            dissolved_on__isnull=True, term_ends_on__gte=today,
            term_ends_on__lte=today + datetime.timedelta(days=int(value)),
        )


class CommitteeMemberFilterSet(django_filters.FilterSet):
    committee = django_filters.ModelChoiceFilter(queryset=visible_committees, label=_("committee"))
    within = WithinFilter(path_lookup="committee__community__path")
    role = django_filters.ChoiceFilter(choices=MemberRole.choices, label=_("role"))
    current = django_filters.BooleanFilter(field_name="left_on", lookup_expr="isnull", label=_("current"))
    is_party_member = django_filters.BooleanFilter(label=_("party member"))
    is_community_cadre = django_filters.BooleanFilter(label=_("community cadre"))
    search = SearchFilter(fields=("name",))

    class Meta:
        model = CommitteeMember
        fields = ["committee", "within", "role", "current", "is_party_member", "is_community_cadre", "search"]


class DecisionReportFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DecisionStatus.choices, label=_("status"), distinct=False)
    kind = django_filters.ChoiceFilter(choices=DecisionKind.choices, label=_("kind of decision"))
    late = django_filters.BooleanFilter(field_name="is_late", label=_("filed late"))
    committee = django_filters.ModelChoiceFilter(queryset=visible_committees, label=_("committee"))
    within = WithinFilter(path_lookup="committee__community__path")
    decision_from = django_filters.DateFilter(
        field_name="decision_on", lookup_expr="gte", label=_("decision on or after")
    )
    decision_to = django_filters.DateFilter(
        field_name="decision_on", lookup_expr="lte", label=_("decision on or before")
    )
    search = SearchFilter(fields=("title", "committee__name"))

    class Meta:
        model = DecisionReport
        fields = ["status", "kind", "late", "committee", "within", "decision_from", "decision_to", "search"]


class ReminderFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=ReminderKind.choices, label=_("kind"), distinct=False)
    committee = django_filters.ModelChoiceFilter(queryset=visible_committees, label=_("committee"))
    within = WithinFilter(path_lookup="area__path")
    search = SearchFilter(fields=("message",))

    class Meta:
        model = Reminder
        fields = ["kind", "committee", "within", "search"]

"""FilterSets of the micro-wish inbox, shared by the API and the HTML inbox.

Both pass the request (``WishFilterSet(params, queryset, request=request)``): the
area choices are limited to what the caller sees, and "overdue" and "due soon" are
measured against :func:`governance.clock.now` when the filter runs.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.filters import SearchFilter
from communities.models import AreaKind
from governance import clock
from governance.filters import WithinFilter, visible_areas

from .models import OPEN_STATUSES, Category, Channel, ClaimerKind, Level, Status, Wish

DUE_SOON = datetime.timedelta(hours=24)


def visible_compounds(request):
    return visible_areas(request).filter(kind=AreaKind.COMPOUND)


def local_day_start(day: datetime.date) -> datetime.datetime:
    """Midnight starting ``day`` in the portal's time zone (Asia/Shanghai), as an aware
    datetime: dates in filters and statistics are local dates."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


def overdue_q(now) -> Q:
    """Open and past the due time of its current stage."""
    return Q(status__in=OPEN_STATUSES, due_at__lt=now)


def due_soon_q(now) -> Q:
    """Open, not yet overdue, and due within the next 24 hours (inclusive)."""
    return Q(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=now + DUE_SOON)


class WishOrderingFilter(django_filters.OrderingFilter):
    """``ordering=due_at`` / ``-due_at`` / ``created_at`` / ``-created_at``.

    Wishes without a due time (finished ones) sort last either way, and the id
    breaks ties in the same direction, so pages never overlap or skip.
    """

    def filter(self, qs, value):
        if not value:
            return qs
        terms = []
        for param in value:
            if param in (None, ""):
                continue
            name = self.get_ordering_value(param)
            descending = name.startswith("-")
            expression = F(name.lstrip("-"))
            terms.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        if not terms:
            return qs
        tie_break = "-id" if value[0].startswith("-") else "id"
        return qs.order_by(*terms, tie_break)


class WishFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"), distinct=False)
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="code", label=_("category")
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("level"))
    within = WithinFilter(path_lookup="compound__path")
    compound = django_filters.ModelChoiceFilter(queryset=visible_compounds, label=_("compound"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon", label=_("due within 24 hours")
    )
    claimed = django_filters.BooleanFilter(method="filter_claimed", label=_("claimed"))
    claimer_kind = django_filters.ChoiceFilter(choices=ClaimerKind.choices, label=_("claimed by (kind)"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))
    requested_from = django_filters.DateFilter(
        method="filter_requested_from", label=_("submitted on or after")
    )
    requested_to = django_filters.DateFilter(
        method="filter_requested_to", label=_("submitted on or before")
    )
    search = SearchFilter(fields=("tracking_code", "title"))
    ordering = WishOrderingFilter(
        fields=(("due_at", "due_at"), ("created_at", "created_at")),
        field_labels={"due_at": _("due time"), "created_at": _("submitted at")},
        label=_("order by"),
    )

    class Meta:
        model = Wish
        fields = [
            "status", "category", "level", "within", "compound", "overdue", "due_soon",
            "claimed", "claimer_kind", "channel", "requested_from", "requested_to", "search",
            "ordering",
        ]

    def _now(self):
        # One "now" for all the filters of one request.
        if not hasattr(self, "_now_value"):
            self._now_value = clock.now()
        return self._now_value

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = overdue_q(self._now())
        return qs.filter(q) if value else qs.exclude(q)

    def filter_due_soon(self, qs, name, value):
        if value is None:
            return qs
        q = due_soon_q(self._now())
        return qs.filter(q) if value else qs.exclude(q)

    def filter_claimed(self, qs, name, value):
        if value is None:
            return qs
        return qs.exclude(claimer_kind="") if value else qs.filter(claimer_kind="")

    def filter_requested_from(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(created_at__gte=local_day_start(value))

    def filter_requested_to(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(created_at__lt=local_day_start(value + datetime.timedelta(days=1)))

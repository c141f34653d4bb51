"""The micro-wish metrics page: the stats selector's figures for a node and period,
and its children ranked with server-rendered SVG charts."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from communities.models import Area, AreaKind
from governance import clock
from governance.models import StaffRole
from governance.scoping import scope_for
from governance.web.mixins import (
    StaffRequiredMixin,
)

from . import charts
from .forms import (
    MetricsForm,
)
from .selectors import wish_stats
from .views import WishPageMixin

METRICS_DEFAULT_DAYS = 90


# --- metrics -------------------------------------------------------------------------------


def pct(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def hours(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _default_area(user, areas: list[Area]) -> Area | None:
    role = (
        StaffRole.objects.filter(user=user)
        .select_related("area")
        .order_by("area__depth", "area__path", "pk")
        .first()
    )
    if role is not None:
        return role.area
    return areas[0] if areas else None


def _period_presets(today: datetime.date) -> list[dict]:
    year = today.year
    d = datetime.date
    presets = [
        (_("Last 90 days"), today - datetime.timedelta(days=METRICS_DEFAULT_DAYS - 1), today),
        (_("H1 %(year)d") % {"year": year}, d(year, 1, 1), d(year, 6, 30)),
        (_("H2 %(year)d") % {"year": year}, d(year, 7, 1), d(year, 12, 31)),
        (_("Year %(year)d") % {"year": year}, d(year, 1, 1), d(year, 12, 31)),
        (_("H1 %(year)d") % {"year": year - 1}, d(year - 1, 1, 1), d(year - 1, 6, 30)),
        (_("H2 %(year)d") % {"year": year - 1}, d(year - 1, 7, 1), d(year - 1, 12, 31)),
        (_("Year %(year)d") % {"year": year - 1}, d(year - 1, 1, 1), d(year - 1, 12, 31)),
    ]
    return [{"label": label, "from": start, "to": end} for label, start, end in presets]


def _figure_rows(stats) -> list[dict]:
    """The cards: each figure with how it was counted."""
    return [
        {"key": "count", "label": _("Wishes"), "value": str(stats.count),
         "detail": _("submitted in the period")},
        {"key": "response", "label": _("Response rate"), "value": pct(stats.response_rate),
         "share": stats.response_rate,
         "detail": _("%(a)d of %(b)d accepted within the limit") % {
             "a": stats.accepted_on_time, "b": stats.response_base}},
        {"key": "resolution", "label": _("Resolution rate"), "value": pct(stats.resolution_rate),
         "share": stats.resolution_rate,
         "detail": _("%(a)d of %(b)d resolved") % {"a": stats.resolved, "b": stats.resolution_base}},
        {"key": "satisfaction", "label": _("Satisfaction rate"), "value": pct(stats.satisfaction_rate),
         "share": stats.satisfaction_rate,
         "detail": _("%(a)d of %(b)d ratings satisfied") % {"a": stats.satisfied, "b": stats.rated}},
        {"key": "overdue", "label": _("Overdue"), "value": str(stats.overdue),
         "detail": _("ever overdue, or open past the due time"), "warn": bool(stats.overdue)},
        {"key": "accept_hours", "label": _("Median hours to accept"),
         "value": hours(stats.median_accept_hours), "detail": _("from submission")},
        {"key": "resolve_hours", "label": _("Median hours to resolve"),
         "value": hours(stats.median_resolve_hours), "detail": _("from submission")},
    ]


def _charts(children) -> list[dict]:
    """One bar chart per figure, a bar per child node, in the ranking's order."""
    if not children:
        return []
    most = max((c.stats.count for c in children), default=0)
    charts_ = []
    title = str(_("Wishes submitted"))
    charts_.append({
        "title": title,
        "svg": charts.bar_chart(
            title,
            [
                charts.Bar(c.area.name, c.stats.count, str(c.stats.count))
                for c in sorted(children, key=lambda c: -c.stats.count)
            ],
            max_value=most or 1,
        ),
    })
    for label, attr in (
        (_("Satisfaction rate"), "satisfaction_rate"),
        (_("Resolution rate"), "resolution_rate"),
        (_("Response rate"), "response_rate"),
    ):
        title = str(label)
        # Each chart ranks by its own figure, highest first, no data last.
        ordered = sorted(
            children,
            key=lambda c, attr=attr: (getattr(c.stats, attr) is None, -(getattr(c.stats, attr) or 0)),
        )
        bars = [charts.Bar(c.area.name, getattr(c.stats, attr), pct(getattr(c.stats, attr))) for c in ordered]
        charts_.append({"title": title, "svg": charts.bar_chart(title, bars, max_value=1)})
    return charts_


def _child_row(child) -> dict:
    """One row of the ranking table: the figures, formatted, with a small bar for each rate."""
    stats, name = child.stats, child.area.name
    row = {"rank": child.rank, "area": child.area, "stats": stats, "meters": {}}
    for key in ("response", "resolution", "satisfaction"):
        rate = getattr(stats, f"{key}_rate")
        row[key] = pct(rate)
        row["meters"][key] = charts.meter(rate, f"{name}: {pct(rate)}")
    row["accept_hours"] = hours(stats.median_accept_hours)
    row["resolve_hours"] = hours(stats.median_resolve_hours)
    return row


class WishMetricsView(WishPageMixin, StaffRequiredMixin, TemplateView):
    """``?within=<area>&from=&to=``: the figures of the wishes submitted in the period
    under an area of the user's own subtrees (default: their first role's area, the
    last 90 days), and the same figures for each child node, ranked."""

    template_name = "wishes/staff/wish_metrics.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        scope = scope_for(user)
        # Areas where the user holds a role, and below (not the context nodes above).
        areas = (
            Area.objects.visible_to(user)
            .exclude(pk__in=sorted(scope.context_ids))
            .exclude(kind=AreaKind.BUILDING)
        )
        options = list(
            areas.exclude(kind=AreaKind.COMPOUND)
            .order_by("path")
            .only("pk", "name", "kind", "depth", "path")
        )
        today = timezone.localdate(clock.now(), timezone.get_default_timezone())
        area = _default_area(user, options)
        date_from, date_to = today - datetime.timedelta(days=METRICS_DEFAULT_DAYS - 1), today
        form = MetricsForm(self.request.GET or None, areas=areas, options=options)
        if form.is_bound and form.is_valid():
            area = form.cleaned_data["within"] or area
            date_from = form.cleaned_data["from"] or date_from
            date_to = form.cleaned_data["to"] or date_to
            if date_from > date_to:
                date_from = date_to
        if form.is_bound and not form.is_valid():
            area = None  # say what is wrong rather than show other figures
        else:
            # The form shows what is measured, defaults included.
            if area is not None and area not in options:
                options = [*options, area]  # a compound reached from a ranking
            form = MetricsForm(
                initial={"within": area.pk if area else None, "from": date_from, "to": date_to},
                areas=areas, options=options,
            )
        result = None
        children = []
        if area is not None:
            result = wish_stats(area, date_from, date_to, user=user)
            children = [_child_row(child) for child in result.children]
        return super().get_context_data(
            form=form,
            area=area,
            date_from=date_from,
            date_to=date_to,
            presets=_period_presets(today),
            result=result,
            stats=result.totals if result else None,
            figures=_figure_rows(result.totals) if result else [],
            children=children,
            charts=_charts(result.children) if result else [],
            **kwargs,
        )



"""Staff pages of the star rating (星级评价), under /properties/.

Every page starts from ``visible_to(user)`` (outside → 404); writes go through
``properties.services_ratings`` (visible but not changeable → 403; a period in the
wrong state → the period's page again with the reason and HTTP 409). The public
results pages are ``properties.views.public``'s.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView

from communities.models import ROOT_KINDS, Area
from governance.errors import Conflict
from governance.scoping import can_change, scope_for
from governance.web.mixins import (
    FilteredListView,
    ScopedObjectMixin,
    ServiceEditView,
    ServiceFormView,
    StaffRequiredMixin,
)
from governance.web.timeline import timeline

from .. import services_ratings as services
from ..access import company_ids_for
from ..checklist import CHECKLIST, MAX_SCORE
from ..filters_ratings import RatingPeriodFilterSet, RatingResultFilterSet
from ..forms_ratings import (
    InspectionForm,
    OrgReviewForm,
    RatingPeriodCreateForm,
    RatingPeriodEditForm,
)
from ..models import (
    Inspection,
    OrgReview,
    PeriodStatus,
    PropertyCompany,
    RatingPeriod,
    RatingResult,
)
from ..selectors_ratings import company_history, period_progress, period_results
from ..web import PropertyAccessMixin

PAGE_SIZE = 50
TIMELINE_ACTIONS = {
    "opened": _("opened"), "closed": _("closed, results published"),
    "recomputed": _("results recomputed"), "replaced": _("replaced"),
}


def _may_write(user) -> bool:
    return scope_for(user).can_write


def _visible_results(user, queryset):
    """Results the user may see: all of a period they see, or only their own
    company's for a company's staff."""
    return queryset.filter(pk__in=RatingResult.objects.visible_to(user).values("pk"))


def _page(request, queryset, param="page"):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


def period_context(request, period: RatingPeriod, **extra) -> dict:
    """What the period's page shows: settings, state, the buttons the user may use,
    progress while rating, the ranked results once closed, the time line."""
    user = request.user
    closed = period.status == PeriodStatus.CLOSED
    context = {
        "period": period,
        "can_change": can_change(user, period),
        "can_rate": period.status == PeriodStatus.OPEN and _may_write(user),
        "checklist_max": MAX_SCORE,
        "timeline": timeline(user, period, actorless={
            "opened": _("rating period job"), "closed": _("rating period job"),
            "created": _("rating period job")}),
        **extra,
    }
    for entry in context["timeline"]:
        entry.action = str(TIMELINE_ACTIONS.get(entry.event.action, entry.action))
    if closed:
        context["results_page"] = _page(request, _visible_results(user, period_results(period)))
    else:
        context["progress_page"] = _page(request, period_progress(user, period))
        context["reviews"] = list(
            OrgReview.objects.visible_to(user).filter(period=period)
            .select_related("company", "area")[:PAGE_SIZE]
        )
        context["inspections"] = list(
            Inspection.objects.visible_to(user).filter(period=period)
            .select_related("company", "compound")[:PAGE_SIZE]
        )
    return context


class PeriodQuerysetMixin:
    """Company staff reach a period through their companies' results (a join): one row
    per period even for the staff of several companies."""

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.distinct() if company_ids_for(self.request.user) else queryset


class PeriodListView(PropertyAccessMixin, FilteredListView):
    model = RatingPeriod
    filterset_class = RatingPeriodFilterSet
    template_name = "properties/ratings/period_list.html"
    paginate_by = 20

    def base_queryset(self):
        queryset = super().base_queryset().select_related("district")
        return queryset.distinct() if company_ids_for(self.request.user) else queryset

    def get_context_data(self, **kwargs):
        roots = Area.objects.changeable_by(self.request.user).filter(kind__in=sorted(ROOT_KINDS))
        return super().get_context_data(can_create=roots.exists(), **kwargs)


class PeriodDetailView(PropertyAccessMixin, PeriodQuerysetMixin, ScopedObjectMixin, StaffRequiredMixin,
                       DetailView):
    model = RatingPeriod
    template_name = "properties/ratings/period_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("district", "closed_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**period_context(self.request, self.object), **kwargs)


class PeriodActionView(PropertyAccessMixin, PeriodQuerysetMixin, ScopedObjectMixin, StaffRequiredMixin, View):
    """POST one action on a period (open, close, recompute)."""

    model = RatingPeriod
    http_method_names = ["post"]
    service = None
    success_message = ""

    def post(self, request, *args, **kwargs):
        period = self.object
        try:
            type(self).service(actor=request.user, period=period)
        except Conflict as exc:
            period = self.get_queryset().select_related("district").get(pk=period.pk)
            context = period_context(request, period, object=period, conflict=str(exc))
            return render(request, "properties/ratings/period_detail.html", context, status=409)
        messages.success(request, self.success_message)
        return redirect("property-period-detail", period.pk)


class PeriodOpenView(PeriodActionView):
    service = staticmethod(services.period_open)
    success_message = _("The rating period is open: owners, communities and inspectors may rate now.")


class PeriodCloseView(PeriodActionView):
    service = staticmethod(services.period_close)
    success_message = _("The rating period is closed and its results are published.")


class PeriodRecomputeView(PeriodActionView):
    service = staticmethod(services.period_recompute)
    success_message = _("The results were computed again.")


class ConflictOnFormMixin:
    """A service's Conflict (e.g. editing a closed period) shows on the form, with 409."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Conflict as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=409)


class PeriodCreateView(PropertyAccessMixin, ServiceFormView):
    form_class = RatingPeriodCreateForm
    title = _("New rating period")
    submit_label = _("Create")
    success_message = _("The rating period was created; the job opens it on its opening date.")
    success_url_name = "property-period-detail"

    def prepare(self):
        super().prepare()
        if not Area.objects.changeable_by(self.request.user).filter(kind__in=sorted(ROOT_KINDS)).exists():
            raise PermissionDenied(_("Only a district's administrators may set up rating periods."))

    def get_cancel_url(self):
        return reverse("property-period-list")

    def perform(self, form):
        data = form.settings()
        return services.period_create(
            actor=self.request.user, district=data.pop("district"), year=data.pop("year"),
            half=data.pop("half"), **data,
        )


class PeriodEditView(PropertyAccessMixin, PeriodQuerysetMixin, ConflictOnFormMixin, ServiceEditView):
    model = RatingPeriod
    form_class = RatingPeriodEditForm
    success_url_name = "property-period-detail"
    success_message = _("The rating period was saved.")

    def get_title(self):
        return _("Edit the rating period %(period)s") % {"period": self.object}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.object.status != PeriodStatus.SCHEDULED:
            del form.fields["opens_at"]  # open already: the window has started
        return form

    def get_initial(self):
        return {name: getattr(self.object, name) for name in services.SETTINGS}

    def perform(self, form):
        settings = form.settings()
        for name in ("opens_at", "closes_at"):
            # The picker shows minutes: an untouched time is not a change.
            stored = getattr(self.object, name)
            if name in settings and settings[name] == stored.replace(second=0, microsecond=0):
                del settings[name]
        return services.period_update(actor=self.request.user, period=self.object, **settings)


class _RaterFormView(PropertyAccessMixin, PeriodQuerysetMixin, ServiceEditView):
    """A form of the period ``pk`` for staff who may write somewhere; the service
    checks the area they act for."""

    model = RatingPeriod
    success_url_name = "property-period-detail"

    def prepare(self):
        super().prepare()
        self.change_target = None  # the area reviewed or inspected is checked by the service
        if not _may_write(self.request.user):
            raise PermissionDenied(_("Your role may read the rating but not record scores."))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["period"] = self.object
        company = self.request.GET.get("company")
        if company and company.isdigit() and self.request.method == "GET":
            kwargs.setdefault("initial", {})["company"] = int(company)
        return kwargs

    def get_success_url(self):
        return reverse("property-period-detail", args=[self.object.pk])


class OrgReviewCreateView(_RaterFormView):
    form_class = OrgReviewForm
    submit_label = _("Save the review")

    def get_title(self):
        return _("Organisation review · %(period)s") % {"period": self.object}

    def get_success_message(self):
        if getattr(self.saved, "replaced", False):
            return _("Your node's earlier score for this company was replaced.")
        return _("The review was recorded.")

    def perform(self, form):
        return services.org_review_submit(actor=self.request.user, period=self.object, **form.cleaned_data)


class InspectionCreateView(_RaterFormView):
    form_class = InspectionForm
    template_name = "properties/ratings/inspection_form.html"
    submit_label = _("Record the inspection")
    success_message = _("The inspection was recorded.")

    def get_title(self):
        return _("Quality inspection · %(period)s") % {"period": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(checklist=CHECKLIST, checklist_max=MAX_SCORE, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.inspection_record(
            actor=self.request.user, period=self.object, company=data["company"],
            compound=data["compound"], inspected_on=data["inspected_on"], items=form.items(),
            note=data["note"],
        )


class ResultListView(PropertyAccessMixin, FilteredListView):
    """Published results in the user's scope (a company's staff: their company's)."""

    model = RatingResult
    filterset_class = RatingResultFilterSet
    template_name = "properties/ratings/result_list.html"

    def base_queryset(self):
        return (
            super().base_queryset().select_related("company", "period", "period__district")
            .order_by("-period__year", "-period__half", "period_id", "rank", "company__name", "pk")
        )

    def adapt_filter_form(self, form):
        periods = form.fields["period"].queryset.select_related("district")
        form.fields["period"].widget.choices = [("", "—")] + [(p.pk, str(p)) for p in periods]


class CompanyResultsView(PropertyAccessMixin, ScopedObjectMixin, StaffRequiredMixin, DetailView):
    """One company's results across the closed periods."""

    model = PropertyCompany
    template_name = "properties/ratings/company_results.html"
    context_object_name = "company"

    def get_context_data(self, **kwargs):
        results = _visible_results(self.request.user, company_history(self.object))
        return super().get_context_data(results=list(results), **kwargs)


__all__ = [
    "CompanyResultsView", "InspectionCreateView", "OrgReviewCreateView", "PeriodCloseView",
    "PeriodCreateView", "PeriodDetailView", "PeriodEditView", "PeriodListView", "PeriodOpenView",
    "PeriodRecomputeView", "ResultListView",
]

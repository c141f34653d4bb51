"""Staff pages of households (rating codes and printable slips), owners' ratings and
mediated disputes (list, record, edit, counts per node and half year).

Every page starts from ``visible_to(user)``; every write goes through
``properties.services_residents`` (the functions the API calls too). Rating codes
are shown only to staff who may change the household's compound.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from communities.models import Area, AreaKind
from communities.selectors import area_options
from governance.scoping import can_change
from governance.web.forms import narrow_area_widget
from governance.web.mixins import (
    FilteredListView,
    ScopedObjectMixin,
    ServiceEditView,
    ServiceFormView,
    StaffRequiredMixin,
    get_visible_or_404,
    visible_from_query,
)
from governance.web.timeline import timeline

from .. import services_residents as services
from ..filters_residents import DisputeFilterSet, HouseholdFilterSet, OwnerRatingFilterSet
from ..forms_residents import DisputeCountsForm, DisputeForm, HouseholdBulkForm
from ..models import Dispute, DisputeOutcome, Household, OwnerRating
from ..selectors_coverage import top_area
from ..selectors_ratings import half_bounds
from ..selectors_residents import (
    code_visibility,
    current_half,
    dispute_counts,
    household_label,
    households_for_slips,
)
from ..services_residents import format_code
from ..web import PropertyAccessMixin

TIMELINE_ACTORLESS = {"rated": gettext_lazy("a household"), "rating_replaced": gettext_lazy("a household")}


# --- households ---------------------------------------------------------------------------


class HouseholdListView(PropertyAccessMixin, FilteredListView):
    model = Household
    filterset_class = HouseholdFilterSet
    template_name = "properties/residents/household_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("compound")

    def adapt_filter_form(self, form):
        options = area_options(self.request.user)
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["compound"], [a for a in options if a.kind == AreaKind.COMPOUND])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check = code_visibility(self.request.user)
        for household in context["object_list"]:
            household.label = household_label(household)
            household.may_change = check(household.compound)
            household.shown_code = format_code(household.code) if household.may_change else ""
        compound = None
        if self.filterset.is_bound and self.filterset.is_valid():
            compound = self.filterset.form.cleaned_data.get("compound")
        context.update(
            compound=compound,
            compound_changeable=bool(compound and check(compound)),
            any_code_shown=any(h.may_change for h in context["object_list"]),
        )
        return context


class HouseholdBulkAddView(PropertyAccessMixin, ServiceFormView):
    form_class = HouseholdBulkForm
    template_name = "properties/residents/household_add.html"
    title = gettext_lazy("Add households")
    submit_label = gettext_lazy("Add")

    def prepare(self):
        self.compound = visible_from_query(self.request, Area, "compound")
        if self.compound is not None and self.compound.kind != AreaKind.COMPOUND:
            self.compound = None
        self.change_target = self.compound

    def get_initial(self):
        return {"compound": self.compound.pk} if self.compound else {}

    def perform(self, form):
        self.compound = form.cleaned_data["compound"]
        self.result = services.households_bulk_create(actor=self.request.user, **form.cleaned_data)
        return self.result

    def get_success_message(self):
        return _("Households added: %(created)d; already recorded, skipped: %(skipped)d.") % {
            "created": self.result.created, "skipped": self.result.skipped}

    def get_success_url(self):
        return f"{reverse('property-household-list')}?{urlencode({'compound': self.compound.pk})}"

    def get_cancel_url(self):
        return reverse("property-household-list")


class HouseholdSlipsView(PropertyAccessMixin, TemplateView):
    """``?compound=<id>``: one slip per active household, to print and hand out.
    Only staff who may change the compound (the slips show the codes)."""

    template_name = "properties/residents/household_slips.html"

    def prepare(self):
        self.compound = get_visible_or_404(Area, self.request.user, self.request.GET.get("compound"))
        if self.compound.kind != AreaKind.COMPOUND or not can_change(self.request.user, self.compound):
            raise PermissionDenied(_("Only staff who may change this compound print its rating codes."))

    def get_context_data(self, **kwargs):
        households = list(households_for_slips(self.compound))
        for household in households:
            household.label = household_label(household)
            household.shown_code = format_code(household.code)
        rate_path = reverse("property-rate")
        return super().get_context_data(
            compound=self.compound, households=households,
            rate_url=settings.PUBLIC_BASE_URL.rstrip("/") + rate_path, **kwargs,
        )


class HouseholdActionView(PropertyAccessMixin, ScopedObjectMixin, StaffRequiredMixin, View):
    """POST only: regenerate the code, deactivate, reactivate (buttons on the list)."""

    model = Household
    http_method_names = ["post"]
    service = None
    message = ""

    def post(self, request, *args, **kwargs):
        household = type(self).service(actor=request.user, household=self.object)
        messages.success(request, self.message % {"household": household_label(household)})
        back = request.POST.get("next", "")
        if not back.startswith("/") or back.startswith("//"):
            back = f"{reverse('property-household-list')}?{urlencode({'compound': household.compound_id})}"
        return redirect(back)


class HouseholdRegenerateCodeView(HouseholdActionView):
    service = staticmethod(services.household_regenerate_code)
    message = gettext_lazy("%(household)s has a new rating code; the old one no longer works.")


class HouseholdDeactivateView(HouseholdActionView):
    service = staticmethod(services.household_deactivate)
    message = gettext_lazy("%(household)s no longer rates.")


class HouseholdReactivateView(HouseholdActionView):
    service = staticmethod(services.household_reactivate)
    message = gettext_lazy("%(household)s rates again.")


# --- owners' ratings ------------------------------------------------------------------------


class OwnerRatingListView(PropertyAccessMixin, FilteredListView):
    model = OwnerRating
    filterset_class = OwnerRatingFilterSet
    template_name = "properties/residents/owner_rating_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("period", "company", "compound", "household")

    def adapt_filter_form(self, form):
        options = area_options(self.request.user)
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["compound"], [a for a in options if a.kind == AreaKind.COMPOUND])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for rating in context["object_list"]:
            rating.household_label = household_label(rating.household)
        return context


# --- disputes --------------------------------------------------------------------------------


class DisputeListView(PropertyAccessMixin, FilteredListView):
    model = Dispute
    filterset_class = DisputeFilterSet
    template_name = "properties/residents/dispute_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("compound", "company")

    def adapt_filter_form(self, form):
        options = area_options(self.request.user)
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["compound"], [a for a in options if a.kind == AreaKind.COMPOUND])


class DisputeDetailView(PropertyAccessMixin, ScopedObjectMixin, StaffRequiredMixin, DetailView):
    model = Dispute
    template_name = "properties/residents/dispute_detail.html"
    context_object_name = "dispute"

    def get_queryset(self):
        return super().get_queryset().select_related("compound", "company")

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            can_change=can_change(user, self.object), timeline=timeline(user, self.object), **kwargs
        )


class DisputeCreateView(PropertyAccessMixin, ServiceFormView):
    """``?compound=<id>`` preselects the compound."""

    form_class = DisputeForm
    template_name = "properties/residents/dispute_form.html"
    title = gettext_lazy("Record a mediated dispute")
    submit_label = gettext_lazy("Record")
    success_message = gettext_lazy("The dispute was recorded.")
    success_url_name = "property-dispute-detail"

    def prepare(self):
        self.compound = visible_from_query(self.request, Area, "compound")
        self.change_target = self.compound

    def get_initial(self):
        return {"compound": self.compound.pk} if self.compound else {}

    def get_cancel_url(self):
        return reverse("property-dispute-list")

    def perform(self, form):
        return services.dispute_record(actor=self.request.user, **form.cleaned_data)


class DisputeEditView(PropertyAccessMixin, ServiceEditView):
    model = Dispute
    form_class = DisputeForm
    template_name = "properties/residents/dispute_form.html"
    success_message = gettext_lazy("The dispute was saved.")
    success_url_name = "property-dispute-detail"

    def get_title(self):
        return _("Edit the dispute: %(subject)s") % {"subject": self.object.subject}

    def perform(self, form):
        return services.dispute_update(actor=self.request.user, dispute=self.object, **form.cleaned_data)


class DisputeCountsView(PropertyAccessMixin, TemplateView):
    """Disputes per outcome for a node and each of its children, for a year or half."""

    template_name = "properties/residents/dispute_counts.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        year, half = current_half()
        form = DisputeCountsForm(self.request.GET or None, user=user)
        result = None
        if form.is_bound:
            if form.is_valid():
                area, year, half = (form.cleaned_data[k] for k in ("area", "year", "half"))
            else:
                area = None
        else:
            area = top_area(user)
            form = DisputeCountsForm(initial={"area": area.pk if area else None, "year": year, "half": half},
                                     user=user)
        if area is not None:
            if half:
                start, end = half_bounds(year, half)
            else:
                start, end = half_bounds(year, 1)[0], half_bounds(year, 2)[1]
            result = dispute_counts(user, area, start, end)
        return super().get_context_data(
            form=form, result=result, outcomes=DisputeOutcome.choices, **kwargs
        )

"""Staff pages of the property overview: the /properties/ home page (dashboard), 三覆盖
per node with the compounds missing each of the three, and the cross-appointments
(双向进入、交叉任职): list, record, end, counts per node.

Every page starts from ``visible_to(user)``; figures about a whole subtree are shown
only for areas inside the user's read scope (404 otherwise); every write goes through
``properties.services_crossappointments`` (the functions the API calls too).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from communities.models import Area, AreaKind
from communities.selectors import area_options
from governance.errors import Conflict
from governance.scoping import require_writer, scope_for
from governance.web.forms import narrow_area_widget
from governance.web.mixins import (
    FilteredListView,
    ServiceEditView,
    ServiceFormView,
    in_read_scope,
    visible_from_query,
)

from .. import services_crossappointments as services
from ..filters_coverage import CrossAppointmentFilterSet
from ..forms_coverage import AreaPickForm, CrossAppointmentEndForm, CrossAppointmentForm
from ..models import CrossAppointment
from ..selectors_coverage import (
    MISSING_LIMIT,
    coverage_area_or_404,
    cross_appointment_counts,
    dashboard,
    three_coverage,
    top_area,
)
from ..services_crossappointments import today
from ..web import PropertyAccessMixin


class HomeView(PropertyAccessMixin, TemplateView):
    """The property services' home page: a few figures and a link to every section."""

    template_name = "properties/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(board=dashboard(self.request.user, today()), **kwargs)


class AreaFiguresMixin(PropertyAccessMixin):
    """``?area=<id>`` (default: the user's topmost role area); 404 for an area the user
    cannot see or that lies outside their read scope."""

    def chosen_area(self) -> Area | None:
        value = self.request.GET.get("area")
        if value:
            return coverage_area_or_404(self.request.user, value)
        area = top_area(self.request.user)
        return area if area is not None and in_read_scope(self.request.user, area) else None

    def area_context(self, area) -> dict:
        user = self.request.user
        ancestors = []
        if area is not None:
            ancestors = [a for a in Area.objects.ancestors_of(area).order_by("depth") if in_read_scope(user, a)]
        return {
            "area": area,
            "ancestors": ancestors,
            "pick_form": AreaPickForm(initial={"area": area.pk if area else None}, user=user),
        }


class CoverageView(AreaFiguresMixin, TemplateView):
    template_name = "properties/coverage/coverage.html"

    def get_context_data(self, **kwargs):
        area = self.chosen_area()
        result = three_coverage(self.request.user, area) if area is not None else None
        return super().get_context_data(
            result=result, missing_limit=MISSING_LIMIT, **self.area_context(area), **kwargs
        )


class CrossAppointmentCountsView(AreaFiguresMixin, TemplateView):
    template_name = "properties/coverage/cross_appointment_counts.html"

    def get_context_data(self, **kwargs):
        area = self.chosen_area()
        result = cross_appointment_counts(self.request.user, area) if area is not None else None
        return super().get_context_data(result=result, **self.area_context(area), **kwargs)


class CrossAppointmentListView(PropertyAccessMixin, FilteredListView):
    model = CrossAppointment
    filterset_class = CrossAppointmentFilterSet
    template_name = "properties/coverage/cross_appointment_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("community", "committee", "company", "party_org")

    def adapt_filter_form(self, form):
        options = area_options(self.request.user, exclude_kinds=(AreaKind.COMPOUND, AreaKind.BUILDING))
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["community"], [a for a in options if a.kind in (AreaKind.COMMUNITY,
                                                                                       AreaKind.GRID)])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = scope_for(self.request.user)
        # Which rows the user may end: decided from the scope, no query per row.
        for appointment in context["object_list"]:
            appointment.may_end = appointment.ended_on is None and appointment.member_id is None and (
                scope.sees_all or any(appointment.community.path.startswith(p) for p in scope.write_paths)
            )
        return context


class CrossAppointmentCreateView(PropertyAccessMixin, ServiceFormView):
    """``?community=<id>`` preselects the community (and is the change target)."""

    form_class = CrossAppointmentForm
    template_name = "properties/coverage/form.html"
    title = gettext_lazy("Record a cross-appointment")
    submit_label = gettext_lazy("Record")
    success_message = gettext_lazy("The cross-appointment was recorded.")

    def prepare(self):
        self.community = visible_from_query(self.request, Area, "community")
        self.change_target = self.community

    def _require_change_target(self):
        # Read-only roles and a company's staff get the 403 page, not a form.
        require_writer(self.request.user)
        super()._require_change_target()

    def get_initial(self):
        initial = {"started_on": today()}
        if self.community is not None:
            initial["community"] = self.community.pk
        return initial

    def get_cancel_url(self):
        return reverse("property-cross-appointment-list")

    def get_success_url(self):
        return f"{reverse('property-cross-appointment-list')}?community={self.saved.community_id}"

    def perform(self, form):
        return services.cross_appointment_record(actor=self.request.user, **form.cleaned_data)


class CrossAppointmentEndView(PropertyAccessMixin, ServiceEditView):
    """GET: the form; POST: end the appointment (an ended one re-renders with 409)."""

    model = CrossAppointment
    form_class = CrossAppointmentEndForm
    template_name = "properties/coverage/form.html"
    submit_label = gettext_lazy("End the appointment")
    success_message = gettext_lazy("The cross-appointment was ended.")

    def get_queryset(self):
        return super().get_queryset().select_related("community")

    def get_title(self):
        return _("End the cross-appointment of %(name)s") % {"name": self.object.person_name}

    def get_success_url(self):
        return f"{reverse('property-cross-appointment-list')}?community={self.object.community_id}"

    get_cancel_url = get_success_url

    def get_context_data(self, **kwargs):
        return super().get_context_data(appointment=self.object, **kwargs)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Conflict as exc:
            self.object = CrossAppointment.objects.select_related("community").get(pk=self.object.pk)
            return self.render_to_response(self.get_context_data(form=form, conflict=str(exc)), status=409)

    def perform(self, form):
        return services.cross_appointment_end(actor=self.request.user, appointment=self.object, **form.cleaned_data)

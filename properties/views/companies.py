"""Staff pages of the property company registry and of how compounds are served:
the company list and page (compounds served now and before, party organisation,
staff with add/remove forms for editors, links to the rating results), its forms;
the list of service modes (e.g. every compound without a company, per mode), a
compound's service (current mode, history, audit time line), setting and ending a
mode, and the download of a mode's published accounts.

Every page starts from ``visible_to(user)``; every write goes through
``properties.services_companies`` (the functions the API calls too).
"""

from __future__ import annotations

import re

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, TemplateView

from communities.models import Area, AreaKind
from communities.selectors import area_options
from governance.errors import Conflict
from governance.scoping import can_change, require_writer
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

from .. import services_companies as services
from ..filters_companies import PropertyCompanyFilterSet, ServiceModeFilterSet
from ..forms_companies import (
    CompanyEditForm,
    CompanyUpdateForm,
    ConfirmForm,
    ServiceModeEndForm,
    ServiceModeForm,
    StaffAddForm,
)
from ..models import COMPANYLESS_MODES, CompanyStaff, PropertyCompany, ServiceMode, ServiceModeKind
from ..selectors_companies import company_list, compound_service, mode_list, served_compounds
from ..web import PropertyAccessMixin

_MODE = re.compile(r"^([a-z_]+) / (.*)$")


def _state_label(value: str) -> str:
    match = _MODE.match(value or "")
    if match and match[1] in ServiceModeKind.values:
        return f"{ServiceModeKind(match[1]).label} / {match[2]}"
    return {"true": _("active"), "false": _("inactive")}.get(value, value)


def property_timeline(user, *objects, related=()):
    """The audit time line, with this area's actions and service modes spelled out."""
    entries = timeline(user, *objects, related=related)
    for entry in entries:
        entry.before, entry.after = _state_label(entry.before), _state_label(entry.after)
    return entries


class WriterOnlyMixin:
    """A form that creates a record: users without any editing role get the 403 page."""

    def _require_change_target(self):
        require_writer(self.request.user, message=_("You may not change records outside your scope."))
        super()._require_change_target()


class ConflictAsPageMixin:
    """A ``Conflict`` from the service re-renders the form with the reason and HTTP 409."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Conflict as exc:
            return self.render_to_response(self.get_context_data(form=form, conflict=str(exc)), status=409)


# --- companies ---------------------------------------------------------------------------------


class CompanyListView(PropertyAccessMixin, FilteredListView):
    model = PropertyCompany
    filterset_class = PropertyCompanyFilterSet
    template_name = "properties/companies/company_list.html"

    def base_queryset(self):
        return company_list(self.request.user)

    def adapt_filter_form(self, form):
        narrow_area_widget(form.fields["within"], area_options(self.request.user))


class CompanyDetailView(PropertyAccessMixin, ScopedObjectMixin, StaffRequiredMixin, DetailView):
    model = PropertyCompany
    template_name = "properties/companies/company_detail.html"
    context_object_name = "company"

    def get_queryset(self):
        return company_list(self.request.user)

    def get_context_data(self, **kwargs):
        user, company = self.request.user, self.object
        modes = list(served_compounds(company, user, current_only=False))
        editable = can_change(user, company)
        staff = list(company.staff.select_related("user").order_by("user__username")) if editable else []
        return super().get_context_data(
            current_modes=[m for m in modes if m.ended_on is None],
            past_modes=sorted((m for m in modes if m.ended_on is not None), key=lambda m: m.ended_on, reverse=True),
            can_change=editable, staff=staff, staff_form=StaffAddForm(user=user) if editable else None,
            timeline=property_timeline(user, company), **kwargs,
        )


class CompanyFormMixin(PropertyAccessMixin):
    template_name = "web/form.html"
    success_url_name = "property-company-detail"


class CompanyCreateView(CompanyFormMixin, WriterOnlyMixin, ServiceFormView):
    """``?area=<id>`` preselects where the company is registered."""

    form_class = CompanyEditForm
    title = gettext_lazy("Register a property company")
    submit_label = gettext_lazy("Register")
    success_message = gettext_lazy("The company was registered.")

    def prepare(self):
        self.area = visible_from_query(self.request, Area, "area")
        self.change_target = self.area

    def get_initial(self):
        return {"area": self.area.pk} if self.area else {}

    def get_cancel_url(self):
        return reverse("property-company-list")

    def perform(self, form):
        return services.company_create(actor=self.request.user, **form.cleaned_data)


class CompanyEditView(CompanyFormMixin, ServiceEditView):
    model = PropertyCompany
    form_class = CompanyUpdateForm
    success_message = gettext_lazy("The company was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def get_initial(self):
        c = self.object
        return {"name": c.name, "credit_code": c.credit_code, "area": c.area_id, "address": c.address,
                "contact_name": c.contact_name, "contact_phone": c.contact_phone, "contact_email": c.contact_email,
                "enterprise": c.enterprise_id, "party_org": c.party_org_id, "party_branch": c.party_branch_id,
                "is_active": c.is_active}

    def perform(self, form):
        fields = dict(form.cleaned_data)
        is_active = fields.pop("is_active")
        company = services.company_update(actor=self.request.user, company=self.object, **fields)
        return services.company_set_active(actor=self.request.user, company=company, is_active=is_active)


class CompanyStaffAddView(CompanyFormMixin, ServiceEditView):
    model = PropertyCompany
    form_class = StaffAddForm
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("The user now has the company's role.")

    def get_title(self):
        return _("New staff member of %(name)s") % {"name": self.object.name}

    def perform(self, form):
        services.company_staff_add(actor=self.request.user, company=self.object, user=form.cleaned_data["username"])
        return self.object


class CompanyStaffRemoveView(CompanyFormMixin, ServiceEditView):
    model = PropertyCompany
    form_class = ConfirmForm
    submit_label = gettext_lazy("Remove")
    success_message = gettext_lazy("The user no longer has the company's role.")

    def prepare(self):
        super().prepare()
        self.member = get_object_or_404(
            CompanyStaff.objects.select_related("user"), company=self.object, user_id=self.kwargs["user_id"]
        )

    def get_title(self):
        return _("Remove %(user)s from %(name)s") % {"user": self.member.user.get_username(),
                                                      "name": self.object.name}

    def perform(self, form):
        services.company_staff_remove(actor=self.request.user, company=self.object, user=self.member.user)
        return self.object


# --- service modes -----------------------------------------------------------------------------


class ServiceModeListView(PropertyAccessMixin, FilteredListView):
    """``?current=true&has_company=false&kind=fallback``: the compounds without a
    company, per mode."""

    model = ServiceMode
    filterset_class = ServiceModeFilterSet
    template_name = "properties/companies/mode_list.html"

    def base_queryset(self):
        return mode_list(self.request.user)

    def adapt_filter_form(self, form):
        options = area_options(self.request.user)
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["compound"], [a for a in options if a.kind == AreaKind.COMPOUND])

    def get_context_data(self, **kwargs):
        return super().get_context_data(companyless_modes=[k for k in ServiceModeKind if k in COMPANYLESS_MODES],
                                        **kwargs)


class CompoundMixin:
    """The compound of ``area_id`` (visible, and a compound: anything else is a 404)."""

    def prepare(self):
        super().prepare()
        self.compound = get_visible_or_404(Area, self.request.user, self.kwargs["area_id"])
        if self.compound.kind != AreaKind.COMPOUND:
            raise Http404


class CompoundServiceView(PropertyAccessMixin, CompoundMixin, StaffRequiredMixin, TemplateView):
    template_name = "properties/companies/compound_service.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        service = compound_service(self.compound)
        editable = can_change(user, self.compound)
        return super().get_context_data(
            compound=self.compound, current=service.current, history=service.history, can_change=editable,
            end_form=ServiceModeEndForm(user=user) if editable and service.current else None,
            timeline=property_timeline(user, *service.history), **kwargs,
        )


class ServiceModeSetView(PropertyAccessMixin, CompoundMixin, ServiceFormView):
    form_class = ServiceModeForm
    template_name = "properties/companies/mode_form.html"
    submit_label = gettext_lazy("Save the service mode")
    success_message = gettext_lazy("The service mode was saved.")

    def prepare(self):
        super().prepare()
        self.change_target = self.compound
        self.current = compound_service(self.compound).current

    def get_title(self):
        return _("How %(compound)s is served") % {"compound": self.compound.name}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "compound": self.compound}

    def get_initial(self):
        m = self.current
        if m is None:
            return {}
        return {"kind": m.kind, "company": m.company_id, "responsible_body": m.responsible_body,
                "trust_street": m.trust_street_id, "trust_charity": m.trust_charity, "accounts_url": m.accounts_url,
                "contract_ends_on": m.contract_ends_on}

    def get_cancel_url(self):
        return reverse("property-compound-service", args=[self.compound.pk])

    get_success_url = get_cancel_url

    def get_context_data(self, **kwargs):
        return super().get_context_data(compound=self.compound, current=self.current, **kwargs)

    def perform(self, form):
        return services.service_mode_set(actor=self.request.user, compound=self.compound, **form.cleaned_data)


class ServiceModeEndView(PropertyAccessMixin, ConflictAsPageMixin, ServiceEditView):
    model = ServiceMode
    form_class = ServiceModeEndForm
    template_name = "properties/companies/mode_form.html"
    submit_label = gettext_lazy("End the service mode")
    success_message = gettext_lazy("The service mode ended; the compound has none now.")

    def get_queryset(self):
        return super().get_queryset().select_related("compound", "company")

    def get_title(self):
        return _("End %(mode)s at %(compound)s") % {"mode": self.object.get_kind_display(),
                                                   "compound": self.object.compound.name}

    def get_cancel_url(self):
        return reverse("property-compound-service", args=[self.object.compound_id])

    get_success_url = get_cancel_url

    def perform(self, form):
        return services.service_mode_end(actor=self.request.user, mode=self.object, **form.cleaned_data)


class ServiceModeAccountsView(PropertyAccessMixin, ScopedObjectMixin, StaffRequiredMixin, View):
    """A trust-model service's published accounts file, for staff who see the mode
    (files are not under a public media URL)."""

    model = ServiceMode

    def get(self, request, pk):
        mode = self.get_object()
        if not mode.accounts_file:
            raise Http404
        ext = mode.accounts_file.name.rsplit(".", 1)[-1].lower()
        content_type = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}.get(
            ext, "application/octet-stream")
        response = FileResponse(mode.accounts_file.open("rb"), content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response

"""Staff pages of owners' and self-management committees: the list (with the
re-election badges), a committee (members, terms, pre-reports, party share, history),
its forms (new, edit, re-elect, dissolve, members join and leave), the major-decision
pre-reports (list, file, one report with one POST URL per answer: a state conflict
re-renders the page with HTTP 409), the party share per node and the reminders.

Every page starts from ``visible_to(user)``; every write goes through
``properties.services_committees`` (the functions the API calls too).
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, TemplateView

from communities.models import Area, AreaKind
from communities.selectors import area_options
from governance.errors import Conflict
from governance.scoping import can_change
from governance.web.forms import narrow_area_widget
from governance.web.mixins import (
    FilteredListView,
    ScopedObjectMixin,
    ServiceEditView,
    ServiceFormView,
    StaffRequiredMixin,
    visible_from_query,
)
from governance.web.timeline import timeline

from .. import services_committees as services
from ..filters_committees import (
    CommitteeFilterSet,
    DecisionReportFilterSet,
    ReminderFilterSet,
    local_today,
)
from ..forms_committees import (
    CommitteeCreateForm,
    CommitteeEditForm,
    DecisionReportForm,
    DissolveForm,
    MemberAddForm,
    MemberForm,
    MemberLeaveForm,
    PartyShareForm,
    ReelectForm,
    ReportNoteForm,
)
from ..models import Committee, CommitteeMember, DecisionReport, DecisionStatus, Reminder
from ..selectors_committees import (
    committee_list,
    current_members,
    party_share,
    share_percent,
    with_member_counts,
    with_reelection_state,
)
from ..selectors_coverage import top_area
from ..web import PropertyAccessMixin

_TERM = re.compile(r"^term (\d+) \(ends (\d{4}-\d{2}-\d{2})\)$")


def _state_label(value: str) -> str:
    match = _TERM.match(value or "")
    if match:
        return _("term %(number)s (ends %(date)s)") % {"number": match[1], "date": match[2]}
    if value == "left":
        return _("left")
    return str(dict(DecisionStatus.choices).get(value, value))


def committee_timeline(user, *objects, related=()):
    """The audit time line, with this area's actions and states spelled out."""
    entries = timeline(user, *objects, related=related)
    for entry in entries:
        entry.before, entry.after = _state_label(entry.before), _state_label(entry.after)
        if entry.event.action == "filed" and entry.note == "late":
            entry.note = _("filed after the decision date")
    return entries


class ConflictAsPageMixin:
    """A ``Conflict`` from the service (dissolved meanwhile, answered meanwhile...)
    re-renders the page with the reason and HTTP 409; nothing was saved."""

    conflict = ""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Conflict as exc:
            self.object = type(self.object)._default_manager.get(pk=self.object.pk)
            self.conflict = str(exc)
            return self.render_to_response(self.get_context_data(form=form, conflict=self.conflict), status=409)


# --- committees ----------------------------------------------------------------------------


class CommitteeListView(PropertyAccessMixin, FilteredListView):
    model = Committee
    filterset_class = CommitteeFilterSet
    template_name = "properties/committees/committee_list.html"

    def base_queryset(self):
        return committee_list(self.request.user, local_today())

    def adapt_filter_form(self, form):
        options = area_options(self.request.user)
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["community"], [a for a in options if a.kind in ("community", "grid")])
        narrow_area_widget(form.fields["compound"], [a for a in options if a.kind == AreaKind.COMPOUND])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for committee in context["object_list"]:
            committee.party_share = share_percent(committee.party_members_count, committee.members_count)
        return context


class CommitteeDetailView(PropertyAccessMixin, ScopedObjectMixin, StaffRequiredMixin, DetailView):
    model = Committee
    template_name = "properties/committees/committee_detail.html"
    context_object_name = "committee"

    def get_queryset(self):
        qs = super().get_queryset().select_related("community").prefetch_related("compounds")
        return with_reelection_state(with_member_counts(qs), local_today())

    def get_context_data(self, **kwargs):
        user, committee = self.request.user, self.object
        members = list(current_members(committee))
        past = list(committee.members.filter(left_on__isnull=False).order_by("-left_on", "pk"))
        reports = list(committee.decision_reports.order_by("-filed_at", "-pk")[:20])
        return super().get_context_data(
            members=members, past_members=past, terms=list(committee.terms.order_by("-number")),
            reports=reports, party_share=share_percent(committee.party_members_count, committee.members_count),
            can_change=can_change(user, committee),
            timeline=committee_timeline(user, committee, related=[*members, *past]),
            **kwargs,
        )


class CommitteeFormMixin(PropertyAccessMixin):
    template_name = "properties/committees/form.html"
    success_url_name = "property-committee-detail"


class CommitteeCreateView(CommitteeFormMixin, ServiceFormView):
    """``?community=<id>`` preselects the community."""

    form_class = CommitteeCreateForm
    title = gettext_lazy("New committee")
    submit_label = gettext_lazy("Create")
    success_message = gettext_lazy("The committee was created.")

    def prepare(self):
        self.community = visible_from_query(self.request, Area, "community")
        self.change_target = self.community

    def get_initial(self):
        return {"community": self.community.pk} if self.community else {}

    def get_cancel_url(self):
        return reverse("property-committee-list")

    def perform(self, form):
        return services.committee_create(actor=self.request.user, **form.cleaned_data)


class CommitteeObjectFormView(CommitteeFormMixin, ConflictAsPageMixin, ServiceEditView):
    model = Committee

    def get_queryset(self):
        return super().get_queryset().select_related("community")


class CommitteeEditView(CommitteeObjectFormView):
    form_class = CommitteeEditForm
    success_message = gettext_lazy("The committee was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def get_initial(self):
        c = self.object
        return {"name": c.name, "kind": c.kind, "compounds": list(c.compounds.values_list("pk", flat=True))}

    def perform(self, form):
        return services.committee_update(actor=self.request.user, committee=self.object, **form.cleaned_data)


class CommitteeReelectView(CommitteeObjectFormView):
    form_class = ReelectForm
    submit_label = gettext_lazy("Record the re-election")
    success_message = gettext_lazy("The re-election was recorded; the new term is current.")

    def get_title(self):
        return _("Re-election (换届) of %(name)s") % {"name": self.object.name}

    def get_initial(self):
        ends = self.object.term_ends_on
        day = min(ends.day, 28) if ends.month == 2 else ends.day
        # The usual term of an owners' committee is five years (a suggestion only).
        return {"term_started_on": ends, "term_ends_on": ends.replace(year=ends.year + 5, day=day)}

    def perform(self, form):
        return services.committee_reelect(actor=self.request.user, committee=self.object, **form.cleaned_data)


class CommitteeDissolveView(CommitteeObjectFormView):
    form_class = DissolveForm
    submit_label = gettext_lazy("Dissolve")
    success_message = gettext_lazy("The committee was dissolved; its members left.")

    def get_title(self):
        return _("Dissolve %(name)s") % {"name": self.object.name}

    def perform(self, form):
        return services.committee_dissolve(actor=self.request.user, committee=self.object, **form.cleaned_data)


class MemberAddView(CommitteeObjectFormView):
    form_class = MemberAddForm
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("The member was added.")

    def get_title(self):
        return _("New member of %(name)s") % {"name": self.object.name}

    def perform(self, form):
        services.committee_member_add(actor=self.request.user, committee=self.object, **form.cleaned_data)
        return self.object


class MemberFormView(CommitteeFormMixin, ConflictAsPageMixin, ServiceEditView):
    model = CommitteeMember

    def get_queryset(self):
        return super().get_queryset().select_related("committee")

    def get_success_url(self):
        return reverse("property-committee-detail", args=[self.object.committee_id])

    get_cancel_url = get_success_url


class MemberEditView(MemberFormView):
    form_class = MemberForm
    success_message = gettext_lazy("The member was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def get_initial(self):
        m = self.object
        return {"name": m.name, "role": m.role, "is_party_member": m.is_party_member,
                "is_community_cadre": m.is_community_cadre}

    def perform(self, form):
        return services.committee_member_update(actor=self.request.user, member=self.object, **form.cleaned_data)


class MemberLeaveView(MemberFormView):
    form_class = MemberLeaveForm
    submit_label = gettext_lazy("Leave the committee")
    success_message = gettext_lazy("The member left the committee.")

    def get_title(self):
        return _("%(name)s leaves %(committee)s") % {"name": self.object.name, "committee": self.object.committee.name}

    def perform(self, form):
        return services.committee_member_leave(actor=self.request.user, member=self.object, **form.cleaned_data)


# --- party share and reminders --------------------------------------------------------------


class PartyShareView(PropertyAccessMixin, TemplateView):
    """``?area=<id>``: the share of party members per committee and per child node."""

    template_name = "properties/committees/party_share.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = PartyShareForm(self.request.GET or None, user=user)
        area = None
        if form.is_bound:
            if form.is_valid():
                area = form.cleaned_data["area"]
        else:
            area = top_area(user)
            form = PartyShareForm(initial={"area": area.pk if area else None}, user=user)
        result = party_share(user, area) if area is not None else None
        return super().get_context_data(form=form, result=result, **kwargs)


class ReminderListView(PropertyAccessMixin, FilteredListView):
    model = Reminder
    filterset_class = ReminderFilterSet
    template_name = "properties/committees/reminder_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("area", "committee")

    def adapt_filter_form(self, form):
        narrow_area_widget(form.fields["within"], area_options(self.request.user))


# --- decision pre-reports --------------------------------------------------------------------


class DecisionReportListView(PropertyAccessMixin, FilteredListView):
    model = DecisionReport
    filterset_class = DecisionReportFilterSet
    template_name = "properties/committees/decision_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("committee__community")

    def adapt_filter_form(self, form):
        narrow_area_widget(form.fields["within"], area_options(self.request.user))


class DecisionReportCreateView(PropertyAccessMixin, ServiceFormView):
    """``?committee=<id>`` preselects the committee."""

    form_class = DecisionReportForm
    template_name = "properties/committees/form.html"
    title = gettext_lazy("File a major-decision pre-report")
    submit_label = gettext_lazy("File the report")
    success_message = gettext_lazy("The pre-report was filed.")
    success_url_name = "property-decision-report-detail"

    def prepare(self):
        self.committee = visible_from_query(self.request, Committee, "committee")
        self.change_target = self.committee

    def get_initial(self):
        return {"committee": self.committee.pk} if self.committee else {}

    def get_cancel_url(self):
        if self.committee is not None:
            return reverse("property-committee-detail", args=[self.committee.pk])
        return reverse("property-decision-report-list")

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Conflict as exc:  # the committee was dissolved meanwhile
            return self.render_to_response(self.get_context_data(form=form, conflict=str(exc)), status=409)

    def perform(self, form):
        return services.decision_report_file(actor=self.request.user, **form.cleaned_data)


REPORT_ACTIONS = ("acknowledge", "object", "withdraw")


class DecisionReportPage(ScopedObjectMixin):
    model = DecisionReport
    context_object_name = "report"
    template_name = "properties/committees/decision_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("committee__community", "filed_by", "reviewed_by")

    def detail_context(self, report, **bound_forms) -> dict:
        user = self.request.user
        may_answer = report.status == DecisionStatus.FILED and can_change(user, report.committee.community)
        forms = {
            name: bound_forms.get(name) or ReportNoteForm(user=user, auto_id=f"id_{name}_%s")
            for name in REPORT_ACTIONS if may_answer or name in bound_forms
        }
        return {"report": report, "forms": forms, "timeline": committee_timeline(user, report)}


class DecisionReportDetailView(PropertyAccessMixin, DecisionReportPage, StaffRequiredMixin, DetailView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.detail_context(self.object), **kwargs)


class DecisionReportActionView(PropertyAccessMixin, DecisionReportPage, ServiceEditView):
    """POST one answer; its form lives on the report's page."""

    action = ""
    service = None
    http_method_names = ["post"]
    success_url_name = "property-decision-report-detail"

    def prepare(self):
        super().prepare()
        self.change_target = None  # the service checks the community (403)

    def get_form_class(self):
        return ReportNoteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "auto_id": f"id_{self.action}_%s"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conflict = kwargs.get("conflict")
        if conflict:
            context.update(self.detail_context(self.object), conflict=conflict)
        else:
            context.update(self.detail_context(self.object, **{self.action: context["form"]}))
        return context

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Conflict as exc:
            self.object = self.get_queryset().get(pk=self.object.pk)
            return self.render_to_response(self.get_context_data(form=form, conflict=str(exc)), status=409)

    def perform(self, form):
        return type(self).service(actor=self.request.user, report=self.object, note=form.cleaned_data["note"])


class DecisionReportAcknowledgeView(DecisionReportActionView):
    action = "acknowledge"
    service = staticmethod(services.decision_report_acknowledge)
    success_message = gettext_lazy("The report was acknowledged.")


class DecisionReportObjectView(DecisionReportActionView):
    action = "object"
    service = staticmethod(services.decision_report_object)
    success_message = gettext_lazy("The objections were recorded.")


class DecisionReportWithdrawView(DecisionReportActionView):
    action = "withdraw"
    service = staticmethod(services.decision_report_withdraw)
    success_message = gettext_lazy("The report was withdrawn.")


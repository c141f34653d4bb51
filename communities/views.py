"""Staff pages of the territory tree and the enterprise registry.

Every page starts from ``visible_to(user)`` (see governance/web/mixins.py) and every
write goes through ``communities.services``, the functions the API calls too.
"""

from django.db.models import Exists, OuterRef
from django.forms import CheckboxSelectMultiple
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from governance.scoping import can_change
from governance.web.forms import narrow_area_widget
from governance.web.mixins import (
    FilteredListView,
    ScopedObjectMixin,
    ServiceEditView,
    ServiceFormView,
    StaffRequiredMixin,
    in_read_scope,
    visible_from_query,
)
from governance.web.timeline import timeline
from partyorgs.models import PartyOrganisation
from partyorgs.selectors import concurrent_secretary_posts, coverage_for, uncovered_compounds

from . import services
from .filters import AreaFilterSet, EnterpriseFilterSet
from .forms import AreaForm, EnterpriseForm
from .models import ALLOWED_PARENT_KINDS, ENTERPRISE_AREA_KINDS, Area, AreaKind, Enterprise
from .selectors import area_options

LIST_LIMIT = 50


def child_kinds(kind: str) -> list[AreaKind]:
    """The kinds of node that may hang under a node of ``kind``, in tree order."""
    return [k for k in AreaKind if kind in ALLOWED_PARENT_KINDS[k]]


def _with_party_org_flag(enterprises):
    return enterprises.annotate(
        has_party_org=Exists(PartyOrganisation.objects.filter(covered_enterprise=OuterRef("pk")))
    )


# --- Territory ------------------------------------------------------------------


class AreaListView(FilteredListView):
    model = Area
    filterset_class = AreaFilterSet
    template_name = "communities/area_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("parent")

    def adapt_filter_form(self, form):
        kind = form.fields["kind"]
        kind.widget = CheckboxSelectMultiple(choices=kind.choices)
        options = area_options(self.request.user)
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["parent"], options)


class AreaDetailView(ScopedObjectMixin, StaffRequiredMixin, DetailView):
    """One node of the tree: where it sits, what hangs under it and how well it is covered."""

    model = Area
    template_name = "communities/area_detail.html"
    context_object_name = "area"

    def get_context_data(self, **kwargs):
        user, area = self.request.user, self.object
        children = list(Area.objects.filter(parent=area).visible_to(user).order_by("name", "pk"))
        in_scope = in_read_scope(user, area)
        # Coverage of this node and of every child it shows: one call, three queries.
        nodes = ([area] if in_scope else []) + [c for c in children if in_read_scope(user, c)]
        coverage = coverage_for(nodes)
        own = coverage.get(area.pk)
        enterprises = None
        if area.kind in ENTERPRISE_AREA_KINDS:
            enterprises = _with_party_org_flag(
                Enterprise.objects.filter(area=area).visible_to(user)
            )[: LIST_LIMIT + 1]
        uncovered = []
        if own is not None and own.compounds > own.compounds_covered:
            uncovered = list(uncovered_compounds(area)[:LIST_LIMIT])
        concurrent = []
        if own is not None and own.concurrent_secretaries:
            concurrent = list(concurrent_secretary_posts(area)[:LIST_LIMIT])
        return super().get_context_data(
            ancestors=Area.objects.ancestors_of(area).visible_to(user),
            children=[{"area": c, "coverage": coverage.get(c.pk)} for c in children],
            coverage=own,
            in_scope=in_scope,
            party_orgs=PartyOrganisation.objects.filter(covered_area=area)
            .visible_to(user)
            .with_related(),
            enterprises=enterprises,
            list_limit=LIST_LIMIT,
            uncovered=uncovered,
            concurrent=concurrent,
            timeline=timeline(user, area),
            can_change=can_change(user, area),
            child_kinds=child_kinds(area.kind),
            may_register_enterprises=area.kind in ENTERPRISE_AREA_KINDS,
            **kwargs,
        )


class AreaCreateView(ServiceFormView):
    """``?parent=<pk>`` (and optionally ``&kind=``) preselects where the new node goes."""

    form_class = AreaForm
    success_url_name = "area-detail"
    success_message = _("The area was created.")
    submit_label = _("Create")

    def prepare(self):
        self.parent = visible_from_query(self.request, Area, "parent")
        self.change_target = self.parent

    def get_initial(self):
        if self.parent is None:
            return {}
        kinds = child_kinds(self.parent.kind)
        kind = self.request.GET.get("kind")
        if kind not in kinds:
            kind = kinds[0] if kinds else None
        return {"parent": self.parent.pk, "kind": kind}

    def get_title(self):
        if self.parent is not None:
            return _("New area under %(parent)s") % {"parent": self.parent.name}
        return _("New area")

    def get_cancel_url(self):
        if self.parent is not None:
            return reverse("area-detail", args=[self.parent.pk])
        return reverse("area-list")

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.area_create(actor=self.request.user, parent=data.pop("parent"), **data)


class AreaEditView(ServiceEditView):
    """Edit a node's fields; choosing another parent moves it with its subtree."""

    model = Area
    form_class = AreaForm
    success_url_name = "area-detail"
    success_message = _("The area was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def perform(self, form):
        data = dict(form.cleaned_data)
        new_parent = data.pop("parent")
        area = self.object
        if area.parent_id != (new_parent.pk if new_parent else None):
            area = services.area_move(actor=self.request.user, area=area, new_parent=new_parent)
        return services.area_update(actor=self.request.user, area=area, **data)


# --- Enterprises (两新组织) ------------------------------------------------------


class EnterpriseListView(FilteredListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    template_name = "communities/enterprise_list.html"

    def base_queryset(self):
        return _with_party_org_flag(super().base_queryset().select_related("area"))

    def adapt_filter_form(self, form):
        kind = form.fields["kind"]
        kind.widget = CheckboxSelectMultiple(choices=kind.choices)
        options = area_options(self.request.user)
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(
            form.fields["area"], [a for a in options if a.kind in ENTERPRISE_AREA_KINDS]
        )


class EnterpriseDetailView(ScopedObjectMixin, StaffRequiredMixin, DetailView):
    model = Enterprise
    template_name = "communities/enterprise_detail.html"
    context_object_name = "enterprise"

    def get_queryset(self):
        return super().get_queryset().select_related("area")

    def get_context_data(self, **kwargs):
        user, enterprise = self.request.user, self.object
        party_orgs = list(
            PartyOrganisation.objects.filter(covered_enterprise=enterprise)
            .visible_to(user)
            .with_related()
        )
        return super().get_context_data(
            ancestors=Area.objects.ancestors_of(enterprise.area, include_self=True).visible_to(user),
            party_orgs=party_orgs,
            timeline=timeline(user, enterprise),
            can_change=can_change(user, enterprise),
            **kwargs,
        )


class EnterpriseCreateView(ServiceFormView):
    """``?area=<pk>`` preselects where the enterprise is registered."""

    form_class = EnterpriseForm
    success_url_name = "enterprise-detail"
    success_message = _("The enterprise was registered.")
    submit_label = _("Register")
    title = _("Register an enterprise")

    def prepare(self):
        self.area = visible_from_query(self.request, Area, "area")
        self.change_target = self.area

    def get_initial(self):
        return {"area": self.area.pk} if self.area is not None else {}

    def get_cancel_url(self):
        if self.area is not None:
            return reverse("area-detail", args=[self.area.pk])
        return reverse("enterprise-list")

    def perform(self, form):
        return services.enterprise_create(actor=self.request.user, **form.cleaned_data)


class EnterpriseEditView(ServiceEditView):
    model = Enterprise
    form_class = EnterpriseForm
    success_url_name = "enterprise-detail"
    success_message = _("The enterprise was saved.")

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def perform(self, form):
        return services.enterprise_update(
            actor=self.request.user, enterprise=self.object, **form.cleaned_data
        )

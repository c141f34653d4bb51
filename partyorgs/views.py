"""Staff pages of the party-organisation trees and their posts.

Every page starts from ``visible_to(user)`` (see governance/web/mixins.py) and every
write goes through ``partyorgs.services``, the functions the API calls too.
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView

from communities.models import Area, AreaKind, Enterprise
from communities.services import person_create
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

from . import services
from .filters import PartyOrgFilterSet
from .forms import PartyOrgCreateForm, PartyOrgEditForm, PostAppointForm, PostEndForm
from .models import CoveredKind, HierarchyScheme, PartyOrganisation, Post, SchemeLevel


def _current_secretaries():
    return Prefetch(
        "posts",
        queryset=Post.objects.current().secretaries().select_related("person"),
        to_attr="current_secretaries",
    )


class PartyOrgListView(FilteredListView):
    model = PartyOrganisation
    filterset_class = PartyOrgFilterSet
    template_name = "partyorgs/partyorg_list.html"

    def base_queryset(self):
        return super().base_queryset().with_related().prefetch_related(_current_secretaries())

    def adapt_filter_form(self, form):
        options = list(
            Area.objects.visible_to(self.request.user)
            .exclude(kind=AreaKind.BUILDING)
            .only("pk", "name", "kind", "depth", "path")
        )
        narrow_area_widget(form.fields["within"], options)
        narrow_area_widget(form.fields["covered_area"], options)


class PartyOrgDetailView(ScopedObjectMixin, StaffRequiredMixin, DetailView):
    model = PartyOrganisation
    template_name = "partyorgs/partyorg_detail.html"
    context_object_name = "org"

    def get_queryset(self):
        return super().get_queryset().with_related()

    def get_context_data(self, **kwargs):
        user, org = self.request.user, self.object
        posts = list(org.posts.select_related("person").order_by("-started_on", "-pk"))
        children = list(
            PartyOrganisation.objects.filter(parent=org)
            .visible_to(user)
            .with_related()
            .prefetch_related(_current_secretaries())
            .order_by("name", "pk")
        )
        return super().get_context_data(
            ancestors=PartyOrganisation.objects.ancestors_of(org).visible_to(user),
            children=children,
            current_posts=[p for p in posts if p.ended_on is None],
            past_posts=[p for p in posts if p.ended_on is not None],
            timeline=timeline(user, org, related=posts),
            can_change=can_change(user, org),
            next_level=org.scheme.level(org.level + 1),
            **kwargs,
        )


def _schemes():
    return HierarchyScheme.objects.prefetch_related("levels").order_by("code")


class PartyOrgCreateView(ServiceFormView):
    """``?parent=<org>``, ``?area=<area>`` or ``?enterprise=<enterprise>`` preselect
    the parent organisation and the covered unit (and so the scheme level)."""

    form_class = PartyOrgCreateForm
    template_name = "partyorgs/partyorg_form.html"
    success_url_name = "party-org-detail"
    success_message = _("The party organisation was created.")
    submit_label = _("Create")
    title = _("New party organisation")

    def prepare(self):
        request = self.request
        self.parent = visible_from_query(request, PartyOrganisation, "parent")
        self.area = visible_from_query(request, Area, "area")
        self.enterprise = visible_from_query(request, Enterprise, "enterprise")
        # Only the covered unit must be changeable: a community's staff may add an
        # organisation under their street's working committee.
        self.change_target = self.enterprise or self.area

    def _initial_level(self):
        levels = SchemeLevel.objects.order_by("scheme__code", "number")
        if self.parent is not None:
            return levels.filter(scheme_id=self.parent.scheme_id, number=self.parent.level + 1).first()
        if self.enterprise is not None:
            return levels.filter(covers=CoveredKind.ENTERPRISE).first()
        if self.area is not None:
            return levels.filter(covers=self.area.kind).first()
        return None

    def get_initial(self):
        initial = {}
        level = self._initial_level()
        if level is not None:
            initial["scheme_level"] = str(level.pk)
        if self.parent is not None:
            initial["parent"] = self.parent.pk
        if self.area is not None:
            initial["covered_area"] = self.area.pk
        if self.enterprise is not None:
            initial["covered_enterprise"] = self.enterprise.pk
        return initial

    def get_cancel_url(self):
        if self.parent is not None:
            return reverse("party-org-detail", args=[self.parent.pk])
        if self.area is not None:
            return reverse("area-detail", args=[self.area.pk])
        if self.enterprise is not None:
            return reverse("enterprise-detail", args=[self.enterprise.pk])
        return reverse("party-org-list")

    def get_context_data(self, **kwargs):
        return super().get_context_data(schemes=_schemes(), **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        level = data.pop("scheme_level")
        return services.party_org_create(
            actor=self.request.user, scheme=level.scheme, level=level.number, **data
        )


class PartyOrgEditView(ServiceEditView):
    model = PartyOrganisation
    form_class = PartyOrgEditForm
    template_name = "partyorgs/partyorg_form.html"
    success_url_name = "party-org-detail"
    success_message = _("The party organisation was saved.")

    def get_queryset(self):
        return super().get_queryset().with_related()

    def get_title(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def get_context_data(self, **kwargs):
        return super().get_context_data(schemes=_schemes(), **kwargs)

    def perform(self, form):
        return services.party_org_update(actor=self.request.user, org=self.object, **form.cleaned_data)


class PostAppointView(ServiceEditView):
    """Appoint a person to a post in the organisation ``pk``."""

    model = PartyOrganisation
    form_class = PostAppointForm
    success_url_name = "party-org-detail"
    success_message = _("The appointment was recorded.")
    submit_label = _("Appoint")

    def get_title(self):
        return _("Appoint to %(org)s") % {"org": self.object.name}

    def get_success_url(self):
        return reverse("party-org-detail", args=[self.object.pk])

    def perform(self, form):
        data = form.cleaned_data
        person = data["person"]
        if person is None:
            # Same transaction as the appointment: a refused post leaves nobody behind.
            person = person_create(
                actor=self.request.user,
                name=data["new_person_name"].strip(),
                area=self.object.area,
                is_party_member=data["new_person_is_party_member"],
            )
        return services.post_appoint(
            actor=self.request.user,
            organisation=self.object,
            person=person,
            role=data["role"],
            started_on=data["started_on"],
            lives_in_unit=data["lives_in_unit"],
            is_community_cadre=data["is_community_cadre"],
            note=data["note"],
        )


class PostEndView(ServiceEditView):
    """End a post (the organisation page has a one-click form that posts here)."""

    model = Post
    form_class = PostEndForm
    success_message = _("The post was ended.")
    submit_label = _("End the post")

    def get_queryset(self):
        return super().get_queryset().select_related("person", "organisation")

    def get_title(self):
        post = self.object
        return _("End the post of %(person)s (%(role)s) in %(org)s") % {
            "person": post.person.name,
            "role": post.get_role_display(),
            "org": post.organisation.name,
        }

    def get_success_url(self):
        return reverse("party-org-detail", args=[self.object.organisation_id])

    def get_cancel_url(self):
        return self.get_success_url()

    def perform(self, form):
        return services.post_end(actor=self.request.user, post=self.object, **form.cleaned_data)

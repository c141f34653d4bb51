"""The home page and the sign-in pages."""

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.views.generic import TemplateView

from communities.models import Area
from governance.models import StaffRole
from governance.scoping import scope_for
from partyorgs.selectors import coverage_for

from .mixins import StaffRequiredMixin


class HomeView(StaffRequiredMixin, TemplateView):
    """The user's roles and the coverage of each area they hold one on."""

    template_name = "home.html"

    def dispatch(self, request, *args, **kwargs):
        from properties.access import company_ids_for

        user = request.user
        if user.is_authenticated and scope_for(user).is_empty and company_ids_for(user):
            # A property company's staff hold no territory role: their home is the
            # property dashboard, not the "no role" page.
            return redirect("property-home")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        roles = list(
            StaffRole.objects.filter(user=user).select_related("area").order_by("area__path", "role")
        )
        for role in roles:
            role.can_edit = StaffRole.Role(role.role).can_edit
        areas = list({role.area.pk: role.area for role in roles}.values())
        if not areas and scope_for(user).sees_all:
            # A superuser without roles starts from the roots of the tree.
            areas = list(Area.objects.filter(parent__isnull=True).order_by("name"))
        coverage = coverage_for(areas)  # three queries, whatever the number of areas
        cards = [
            {
                "area": area,
                "coverage": coverage[area.pk],
                "roles": [r for r in roles if r.area_id == area.pk],
            }
            for area in areas
        ]
        return super().get_context_data(roles=roles, cards=cards, **kwargs)


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the header's sign-out button is a form."""

"""The staff pages (server-rendered). Included at the site root by governance/urls.py."""

from django.urls import path

from communities import views as communities
from partyorgs import views as partyorgs

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    # Territory tree
    path("areas/", communities.AreaListView.as_view(), name="area-list"),
    path("areas/new/", communities.AreaCreateView.as_view(), name="area-create"),
    path("areas/<int:pk>/", communities.AreaDetailView.as_view(), name="area-detail"),
    path("areas/<int:pk>/edit/", communities.AreaEditView.as_view(), name="area-edit"),
    # Enterprises (两新组织)
    path("enterprises/", communities.EnterpriseListView.as_view(), name="enterprise-list"),
    path("enterprises/new/", communities.EnterpriseCreateView.as_view(), name="enterprise-create"),
    path("enterprises/<int:pk>/", communities.EnterpriseDetailView.as_view(), name="enterprise-detail"),
    path("enterprises/<int:pk>/edit/", communities.EnterpriseEditView.as_view(), name="enterprise-edit"),
    # Party organisations and posts
    path("party-orgs/", partyorgs.PartyOrgListView.as_view(), name="party-org-list"),
    path("party-orgs/new/", partyorgs.PartyOrgCreateView.as_view(), name="party-org-create"),
    path("party-orgs/<int:pk>/", partyorgs.PartyOrgDetailView.as_view(), name="party-org-detail"),
    path("party-orgs/<int:pk>/edit/", partyorgs.PartyOrgEditView.as_view(), name="party-org-edit"),
    path("party-orgs/<int:pk>/posts/new/", partyorgs.PostAppointView.as_view(), name="post-appoint"),
    path("posts/<int:pk>/end/", partyorgs.PostEndView.as_view(), name="post-end"),
]

from django.urls import include, path
from rest_framework.routers import DefaultRouter

import properties.api
from communities.api import AreaViewSet, EnterpriseViewSet, PersonViewSet
from partyorgs.api import HierarchySchemeViewSet, PartyOrgViewSet, PostViewSet
from wishes.api import WishCategoryViewSet, WishViewSet

from .me import MeView

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("people", PersonViewSet, basename="person")
router.register("hierarchy-schemes", HierarchySchemeViewSet, basename="hierarchy-scheme")
router.register("party-orgs", PartyOrgViewSet, basename="party-org")
router.register("party-posts", PostViewSet, basename="party-post")
router.register("wishes", WishViewSet, basename="wish")
router.register("wish-categories", WishCategoryViewSet, basename="wish-category")
properties.api.register(router)

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    *properties.api.urlpatterns(),
    path("", include(router.urls)),
]

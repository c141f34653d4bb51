"""Staff pages of households, owners' ratings and disputes (under /properties/)."""

from django.urls import path

from ..views import residents as views

urlpatterns = [
    path("households/", views.HouseholdListView.as_view(), name="property-household-list"),
    path("households/add/", views.HouseholdBulkAddView.as_view(), name="property-household-add"),
    path("households/slips/", views.HouseholdSlipsView.as_view(), name="property-household-slips"),
    path("households/<int:pk>/regenerate-code/", views.HouseholdRegenerateCodeView.as_view(),
         name="property-household-regenerate-code"),
    path("households/<int:pk>/deactivate/", views.HouseholdDeactivateView.as_view(),
         name="property-household-deactivate"),
    path("households/<int:pk>/reactivate/", views.HouseholdReactivateView.as_view(),
         name="property-household-reactivate"),
    path("owner-ratings/", views.OwnerRatingListView.as_view(), name="property-owner-rating-list"),
    path("disputes/", views.DisputeListView.as_view(), name="property-dispute-list"),
    path("disputes/new/", views.DisputeCreateView.as_view(), name="property-dispute-create"),
    path("disputes/counts/", views.DisputeCountsView.as_view(), name="property-dispute-counts"),
    path("disputes/<int:pk>/", views.DisputeDetailView.as_view(), name="property-dispute-detail"),
    path("disputes/<int:pk>/edit/", views.DisputeEditView.as_view(), name="property-dispute-edit"),
]

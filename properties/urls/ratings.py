"""Staff pages of the star rating (星级评价), under /properties/."""

from django.urls import path

from ..views import ratings as views

urlpatterns = [
    path("periods/", views.PeriodListView.as_view(), name="property-period-list"),
    path("periods/new/", views.PeriodCreateView.as_view(), name="property-period-create"),
    path("periods/<int:pk>/", views.PeriodDetailView.as_view(), name="property-period-detail"),
    path("periods/<int:pk>/edit/", views.PeriodEditView.as_view(), name="property-period-edit"),
    path("periods/<int:pk>/open/", views.PeriodOpenView.as_view(), name="property-period-open"),
    path("periods/<int:pk>/close/", views.PeriodCloseView.as_view(), name="property-period-close"),
    path("periods/<int:pk>/recompute/", views.PeriodRecomputeView.as_view(),
         name="property-period-recompute"),
    path("periods/<int:pk>/reviews/new/", views.OrgReviewCreateView.as_view(),
         name="property-review-create"),
    path("periods/<int:pk>/inspections/new/", views.InspectionCreateView.as_view(),
         name="property-inspection-create"),
    path("results/", views.ResultListView.as_view(), name="property-result-list"),
    path("results/companies/<int:pk>/", views.CompanyResultsView.as_view(),
         name="property-company-results"),
]

"""Staff pages of property companies and of how compounds are served (under /properties/)."""

from django.urls import path

from ..views import companies as views

urlpatterns = [
    path("companies/", views.CompanyListView.as_view(), name="property-company-list"),
    path("companies/new/", views.CompanyCreateView.as_view(), name="property-company-create"),
    path("companies/<int:pk>/", views.CompanyDetailView.as_view(), name="property-company-detail"),
    path("companies/<int:pk>/edit/", views.CompanyEditView.as_view(), name="property-company-edit"),
    path("companies/<int:pk>/staff/add/", views.CompanyStaffAddView.as_view(), name="property-company-staff-add"),
    path("companies/<int:pk>/staff/<int:user_id>/remove/", views.CompanyStaffRemoveView.as_view(),
         name="property-company-staff-remove"),
    path("service-modes/", views.ServiceModeListView.as_view(), name="property-service-mode-list"),
    path("service-modes/<int:pk>/end/", views.ServiceModeEndView.as_view(), name="property-service-mode-end"),
    path("service-modes/<int:pk>/accounts/", views.ServiceModeAccountsView.as_view(),
         name="property-service-mode-accounts"),
    path("compounds/<int:area_id>/service/", views.CompoundServiceView.as_view(), name="property-compound-service"),
    path("compounds/<int:area_id>/service/change/", views.ServiceModeSetView.as_view(),
         name="property-service-mode-set"),
]

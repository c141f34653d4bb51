"""Public property pages (under /property/, no login): the owners' rating form and
the published results of closed rating periods."""

from django.urls import path

from ..views import public as views

urlpatterns = [
    path("rate/", views.RateView.as_view(), name="property-rate"),
    path("rate/thanks/", views.rate_thanks, name="property-rate-thanks"),
    path("results/", views.results_index, name="property-results"),
    path("results/<int:period_id>/", views.results_period, name="property-results-period"),
    path("companies/<int:company_id>/", views.company_history_page, name="property-company-history"),
]

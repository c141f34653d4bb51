"""Staff pages of the property overview (under /properties/): the home page, 三覆盖
and the cross-appointments (双向进入、交叉任职)."""

from django.urls import path

from ..views import coverage as views

urlpatterns = [
    path("", views.HomeView.as_view(), name="property-home"),
    path("coverage/", views.CoverageView.as_view(), name="property-coverage"),
    path("cross-appointments/", views.CrossAppointmentListView.as_view(), name="property-cross-appointment-list"),
    path("cross-appointments/new/", views.CrossAppointmentCreateView.as_view(),
         name="property-cross-appointment-create"),
    path("cross-appointments/counts/", views.CrossAppointmentCountsView.as_view(),
         name="property-cross-appointment-counts"),
    path("cross-appointments/<int:pk>/end/", views.CrossAppointmentEndView.as_view(),
         name="property-cross-appointment-end"),
]

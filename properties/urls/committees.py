"""Staff pages of committees, their members, decision pre-reports, the party share
and the reminders (under /properties/)."""

from django.urls import path

from ..views import committees as views

urlpatterns = [
    path("committees/", views.CommitteeListView.as_view(), name="property-committee-list"),
    path("committees/new/", views.CommitteeCreateView.as_view(), name="property-committee-create"),
    path("committees/party-share/", views.PartyShareView.as_view(), name="property-committee-party-share"),
    path("committees/<int:pk>/", views.CommitteeDetailView.as_view(), name="property-committee-detail"),
    path("committees/<int:pk>/edit/", views.CommitteeEditView.as_view(), name="property-committee-edit"),
    path("committees/<int:pk>/reelect/", views.CommitteeReelectView.as_view(), name="property-committee-reelect"),
    path("committees/<int:pk>/dissolve/", views.CommitteeDissolveView.as_view(),
         name="property-committee-dissolve"),
    path("committees/<int:pk>/members/new/", views.MemberAddView.as_view(), name="property-committee-member-add"),
    path("committee-members/<int:pk>/edit/", views.MemberEditView.as_view(), name="property-committee-member-edit"),
    path("committee-members/<int:pk>/leave/", views.MemberLeaveView.as_view(),
         name="property-committee-member-leave"),
    path("decision-reports/", views.DecisionReportListView.as_view(), name="property-decision-report-list"),
    path("decision-reports/new/", views.DecisionReportCreateView.as_view(), name="property-decision-report-create"),
    path("decision-reports/<int:pk>/", views.DecisionReportDetailView.as_view(),
         name="property-decision-report-detail"),
    path("decision-reports/<int:pk>/acknowledge/", views.DecisionReportAcknowledgeView.as_view(),
         name="property-decision-report-acknowledge"),
    path("decision-reports/<int:pk>/object/", views.DecisionReportObjectView.as_view(),
         name="property-decision-report-object"),
    path("decision-reports/<int:pk>/withdraw/", views.DecisionReportWithdrawView.as_view(),
         name="property-decision-report-withdraw"),
    path("reminders/", views.ReminderListView.as_view(), name="property-reminder-list"),
]

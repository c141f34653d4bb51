"""Staff micro-wish pages, included at ``/wishes/`` (login and a staff role required)."""

from django.urls import path

from . import config_views, metrics_views, views

urlpatterns = [
    path("", views.WishInboxView.as_view(), name="wish-inbox"),
    path("bulk-accept/", views.WishBulkAcceptView.as_view(), name="wish-bulk-accept"),
    path("new/", views.WishIntakeView.as_view(), name="wish-intake"),
    path("metrics/", metrics_views.WishMetricsView.as_view(), name="wish-metrics"),
    path("notifications/", views.NotificationListView.as_view(), name="wish-notifications"),
    path(
        "notifications/read/", views.NotificationsMarkReadView.as_view(),
        name="wish-notifications-read",
    ),
    path("settings/", config_views.WishSettingsView.as_view(), name="wish-settings"),
    # Before <code>: "defaults" is not a category.
    path(
        "settings/defaults/", config_views.WishDefaultLimitsView.as_view(),
        name="wish-settings-defaults",
    ),
    path(
        "settings/<slug:code>/", config_views.WishCategorySettingsView.as_view(),
        name="wish-settings-category",
    ),
    path("<int:pk>/", views.WishDetailView.as_view(), name="wish-detail"),
    path("<int:pk>/photo/<str:which>/", views.WishPhotoView.as_view(), name="wish-photo"),
    path("<int:pk>/accept/", views.WishAcceptView.as_view(), name="wish-accept"),
    path("<int:pk>/claim/", views.WishClaimView.as_view(), name="wish-claim"),
    path("<int:pk>/release/", views.WishReleaseView.as_view(), name="wish-release"),
    path("<int:pk>/escalate/", views.WishEscalateView.as_view(), name="wish-escalate"),
    path("<int:pk>/resolve/", views.WishResolveView.as_view(), name="wish-resolve"),
    path("<int:pk>/reject/", views.WishRejectView.as_view(), name="wish-reject"),
]

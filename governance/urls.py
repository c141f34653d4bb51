from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import health

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("api/v1/", include("governance.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("open311/v2/", include("wishes.open311.urls")),
    path("wish/", include("wishes.urls_public")),
    path("wishes/", include("wishes.urls_staff")),
    path("properties/", include("properties.urls")),
    path("property/", include("properties.urls.public")),
    path("", include("governance.web.urls")),
]

# No route serves MEDIA_ROOT: uploaded photos may show residents and their homes, so
# they are served by scoped views only (wishes.views.WishPhotoView).

"""Open311 GeoReport v2, included at ``/open311/v2/``. Every endpoint takes a format
suffix, ``.json`` or ``.xml``."""

from django.urls import re_path

from . import views as open311

FMT = r"\.(?P<fmt>json|xml)$"

app_name = "open311"
urlpatterns = [
    re_path(r"^discovery" + FMT, open311.DiscoveryView.as_view(), name="discovery"),
    re_path(r"^services" + FMT, open311.ServiceListView.as_view(), name="services"),
    re_path(r"^services/(?P<code>[-\w]+)" + FMT, open311.ServiceDefinitionView.as_view(), name="service"),
    re_path(r"^requests" + FMT, open311.RequestListView.as_view(), name="requests"),
    re_path(r"^requests/(?P<code>[A-Za-z0-9]{1,12})" + FMT, open311.RequestDetailView.as_view(), name="request"),
    re_path(r"^tokens/(?P<token>[^/]{1,100})" + FMT, open311.TokenView.as_view(), name="token"),
    # Anything else under /open311/v2/ is the spec's 404 error list, not an HTML page.
    re_path(r"^.*$", open311.NotFoundView.as_view(), name="not-found"),
]

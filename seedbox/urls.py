from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from seedbox.views import HealthView, favicon

# The admin's own login would check passwords outside allauth's rate limits and take the
# password alone: send it to the site's login page, which counts failures per address and per
# account with every other way in, and asks for the second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # The web app manifest and service worker at the root, the push API under /api/.
    path("", include("notifications.push_urls")),
    path("", include("torrents.page_urls")),  # the home page: the torrent list
    path("accounts/", include("accounts.page_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("torrents.staff_urls")),
    path("notifications/webhooks/", include("notifications.webhook_page_urls")),
    path("notifications/", include("notifications.page_urls")),
    path("media/", include("media.page_urls")),
    path("", include("media.link_urls")),  # /d/<key>/... and /s/<key>/...
    path("stats/", include("stats.page_urls")),
    path("", include("stats.metrics_urls")),  # /metrics (Prometheus)
    path("feeds/", include("feeds.page_urls")),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/", include("accounts.urls")),
    path("api/", include("torrents.urls")),
    path("api/", include("notifications.urls")),
    path("api/", include("notifications.webhook_api_urls")),
    path("api/", include("media.urls")),
    path("api/", include("media.stream_urls")),
    path("api/", include("stats.api_urls")),
    path("api/", include("feeds.urls")),
    path("api/", include("media.position_urls")),  # player: resume positions
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from a URL (`?script`): no inline script for the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]

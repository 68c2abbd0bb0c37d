"""/metrics, at the site's root where Prometheus looks by default."""

from django.urls import path

from stats.api.metrics import MetricsView

urlpatterns = [path("metrics", MetricsView.as_view(), name="metrics")]

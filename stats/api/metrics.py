"""GET /metrics: Prometheus' text format, for a staff user's API token
(`Authorization: Bearer <key>`, as Prometheus' `authorization` setting sends it) or a staff
session. No credentials: 401 (with WWW-Authenticate: Token); a user who is not staff: 404, as
any staff-only address answers."""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from seedbox.openapi import detail
from stats.metrics import metrics_text


class PrometheusTextRenderer(BaseRenderer):
    """Lets a scraper's `Accept: text/plain` through content negotiation (the body itself is
    made by prometheus_client; refusals are rendered as JSON text)."""

    media_type = "text/plain"
    format = "txt"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class MetricsView(APIView):
    # JSON first: a refusal is JSON as everywhere in the API, unless only text/plain is taken.
    renderer_classes = [JSONRenderer, PrometheusTextRenderer]

    @extend_schema(
        responses={
            (200, "text/plain"): OpenApiResponse(str, description="Prometheus text format"),
            404: detail("staff only"),
        }
    )
    def get(self, request: Request) -> HttpResponse:
        if not request.user.is_staff:
            raise Http404
        return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)

from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.health import health_report


class HealthView(APIView):
    """200 when the database, the broker and every enabled rTorrent node answer; 503 naming what
    is down otherwise. No login needed: monitors and load balancers call it."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: dict, 503: dict})
    def get(self, request):
        healthy, report = health_report()
        return Response(report, status=200 if healthy else 503)


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """/favicon.ico, which browsers and feed readers ask for whatever the page links: the site's
    SVG icon, instead of a 404 in every log."""
    return HttpResponseRedirect(static("favicon.svg"))

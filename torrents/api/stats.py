"""GET /api/users/:id/stats (the user themself or an admin; 404 for others) and GET /api/server
(admins only; 404 for everyone else, like any object they may not see)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_for_viewer
from seedbox.openapi import detail
from torrents.stats import server_info, user_stats


class UserStatsView(APIView):
    """Totals, ratio (null when nothing was downloaded), hourly series, per-torrent history."""

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="series length, 1-366 (30)")],
        responses={200: dict},
    )
    def get(self, request: Request, pk: int) -> Response:
        user = user_for_viewer(request.user, pk)
        try:
            days = min(max(int(request.query_params.get("days", 30)), 1), 366)
        except ValueError:
            return Response({"detail": "days must be a whole number"}, status=400)
        return Response(user_stats(user=user, days=days))


class ServerView(APIView):
    """Nodes (reachable, version, disk, rates, torrents by status), users, quota, the queue."""

    @extend_schema(responses={200: dict, 404: detail("staff only")})
    def get(self, request: Request) -> Response:
        if not request.user.is_staff:
            raise Http404
        return Response(server_info())

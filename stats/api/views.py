"""GET /api/torrents/<id>/stats (whoever sees the torrent; 404 for others), GET /api/stats/me
(the caller's own) and GET /api/stats (staff only; 404 for everyone else)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from stats.periods import PERIODS, BadPeriod, period_parse, window_days
from stats.selectors import torrent_usage, user_most_watched, user_totals, user_traffic
from stats.staff_selectors import (
    active_users,
    disk_per_node,
    disk_per_user,
    most_downloaded,
    most_watched,
    node_traffic_per_day,
    sync_runs,
    torrents_added_per_day,
    window_start,
)
from torrents.selectors import torrent_for_user

PERIOD_PARAMETERS = [
    OpenApiParameter("period", str, enum=list(PERIODS), description="day (default), week, month"),
    OpenApiParameter("count", int, description="how many periods (30 days, 26 weeks, 12 months)"),
]


class TorrentStatsView(APIView):
    """Downloads, views, share-link visits of the torrent and of its files that were used."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        return Response({"torrent": torrent.pk, **torrent_usage(torrent=torrent).as_dict()})


class MyStatsView(APIView):
    """The caller's totals, ratio and seeding time, traffic per period, most watched files."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: dict, 400: detail("bad query")})
    def get(self, request: Request) -> Response:
        try:
            period, count = period_parse(
                name=request.query_params.get("period"), count=request.query_params.get("count")
            )
        except BadPeriod as exc:
            return Response({"detail": str(exc)}, status=400)
        user = request.user
        return Response(
            {
                **user_totals(user=user),
                "period": period.name,
                "series": [
                    p.as_dict() for p in user_traffic(user=user, period=period, count=count)
                ],
                "most_watched": user_most_watched(user=user),
            }
        )


class StaffStatsView(APIView):
    """The site over the last `days`: traffic per day per node, most downloaded and watched,
    disk per user and node, torrents added per day, active users, the sync's runs."""

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="window, 1-366 days (30)")],
        responses={200: dict, 400: detail("bad query"), 404: detail("staff only")},
    )
    def get(self, request: Request) -> Response:
        if not request.user.is_staff:
            raise Http404
        try:
            days = window_days(request.query_params.get("days"))
        except BadPeriod as exc:
            return Response({"detail": str(exc)}, status=400)
        first_days, since = window_start(days=days)
        added = torrents_added_per_day(since=since)
        return Response(
            {
                "days": days,
                "since": since,
                "traffic": [
                    {"day": day, "node": node, "uploaded_bytes": up, "downloaded_bytes": down}
                    for day, node, up, down in node_traffic_per_day(since=since)
                ],
                "torrents_added": [{"day": d, "torrents": added.get(d, 0)} for d in first_days],
                "most_downloaded": [
                    {"torrent": pk, "name": name, "downloads": n}
                    for pk, name, n in most_downloaded()
                ],
                "most_watched": [
                    {"torrent": pk, "name": name, "views": n}
                    for pk, name, n in most_watched(since=since)
                ],
                "disk_per_user": [
                    {"email": email, "used_bytes": used, "quota_bytes": quota}
                    for email, used, quota in disk_per_user()
                ],
                "disk_per_node": disk_per_node(),
                "users": active_users(since=since),
                "sync": sync_runs(),
            }
        )

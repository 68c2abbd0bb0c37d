"""Control API: pause, resume, recheck, re-push, PATCH {"paused": bool} and DELETE.

Every torrent is found through `torrent_for_user` (404 for anyone who does not own it). rTorrent
is asked with the quick timeout; when it does not answer, 503 says so and nothing changed.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from torrents.models import Torrent
from torrents.rtorrent import RTorrentError
from torrents.selectors import torrent_for_user
from torrents.services.control import (
    ControlError,
    torrent_delete,
    torrent_recheck,
    torrent_repush,
    torrent_set_paused,
)

_TRUE = {"1", "true", "yes", "on"}
_StateSerializer = inline_serializer(
    "TorrentState", {"id": serializers.IntegerField(), "status": serializers.CharField()}
)


def by_method(**views: Callable) -> Callable:
    """One URL, a view per HTTP method (e.g. GET from the detail view, PATCH/DELETE from here),
    so two modules can serve `torrents/<id>` without editing each other."""
    views = {method.upper(): view for method, view in views.items()}
    if "GET" in views:
        views.setdefault("HEAD", views["GET"])

    def dispatch(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        view = views.get(request.method)
        if view is None and request.method == "OPTIONS":
            view = next(iter(views.values()))
        if view is None:
            response = HttpResponse(status=405)
            response["Allow"] = ", ".join(sorted(views))
            return response
        return view(request, *args, **kwargs)

    dispatch.csrf_exempt = True  # DRF views enforce CSRF themselves for session logins
    return dispatch


def _run(action: Callable[[], str], torrent) -> Response:
    try:
        new_status = action()
    except ControlError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    except RTorrentError as exc:
        code = status.HTTP_503_SERVICE_UNAVAILABLE if exc.transient else status.HTTP_502_BAD_GATEWAY
        return Response({"detail": f"rTorrent did not do it: {exc.message}"}, status=code)
    return Response({"id": torrent.pk, "status": new_status})


class TorrentActionView(APIView):
    """POST /api/torrents/:id/pause | resume | recheck | repush."""

    action_name = ""

    @extend_schema(request=None, responses={200: _StateSerializer, 409: dict, 503: dict})
    def post(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        actions = {
            "pause": lambda: torrent_set_paused(torrent=torrent, paused=True),
            "resume": lambda: torrent_set_paused(torrent=torrent, paused=False),
            "recheck": lambda: torrent_recheck(torrent=torrent),
            "repush": lambda: torrent_repush(torrent=torrent) and torrent.status,
        }
        return _run(actions[self.action_name], torrent)


class TorrentControlView(APIView):
    """PATCH /api/torrents/:id {"paused": bool}; DELETE /api/torrents/:id (`?everyone=true`:
    an admin removes it for all its owners; an admin who does not own it always does)."""

    @extend_schema(
        request=inline_serializer("TorrentPatch", {"paused": serializers.BooleanField()}),
        responses={200: _StateSerializer, 400: dict, 409: dict, 503: dict},
    )
    def patch(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        unknown = set(request.data) - {"paused"}
        paused = request.data.get("paused")
        if unknown or not isinstance(paused, bool):
            return Response(
                {"detail": 'send {"paused": true} or {"paused": false}; nothing else can change'},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return _run(lambda: torrent_set_paused(torrent=torrent, paused=paused), torrent)

    @extend_schema(responses={204: None, 202: dict})
    def delete(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        everyone = request.query_params.get("everyone", "").lower() in _TRUE
        if torrent_delete(torrent=torrent, by=request.user, everyone=everyone) != "pending":
            return Response(status=status.HTTP_204_NO_CONTENT)
        # A pending purge is retried by a task and the sync.
        pending = Torrent.objects.get(pk=torrent.pk)
        return Response(
            {
                "detail": "removed; erasing it from rTorrent and deleting its data is pending "
                f"and will be retried ({pending.last_error or 'rTorrent did not answer'})",
            },
            status=status.HTTP_202_ACCEPTED,
        )

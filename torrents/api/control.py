"""Control API: pause, resume, recheck, reannounce, re-push, PATCH {"paused": bool} and DELETE.

Every torrent is found through `torrent_for_user` (404 for anyone who does not own it). rTorrent
is asked with the quick timeout; when it does not answer, 503 says so and nothing changed.
"""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser
from torrents.api.torrents import TorrentDetailView
from torrents.models import Torrent
from torrents.rtorrent import RTorrentError
from torrents.selectors import torrent_for_user
from torrents.services.control import (
    ControlError,
    torrent_delete,
    torrent_reannounce,
    torrent_recheck,
    torrent_repush,
    torrent_set_paused,
)

_TRUE = {"1", "true", "yes", "on"}
_StateSerializer = inline_serializer(
    "TorrentState", {"id": serializers.IntegerField(), "status": serializers.CharField()}
)
# What asking rTorrent may answer besides 200.
_RTORRENT_ANSWERS = {
    409: detail(
        "the torrent cannot do that now (e.g. its metadata has not arrived, or it was "
        "reannounced a moment ago)"
    ),
    502: detail("rTorrent refused"),
    503: detail("rTorrent did not answer in time; nothing changed"),
}


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
    """POST /api/torrents/:id/pause | resume | recheck | reannounce | repush."""

    action_name = ""

    @extend_schema(request=None, responses={200: _StateSerializer, **_RTORRENT_ANSWERS})
    def post(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        actions = {
            "pause": lambda: torrent_set_paused(torrent=torrent, paused=True),
            "resume": lambda: torrent_set_paused(torrent=torrent, paused=False),
            "recheck": lambda: torrent_recheck(torrent=torrent),
            "reannounce": lambda: torrent_reannounce(torrent=torrent, by=request.user),
            "repush": lambda: torrent_repush(torrent=torrent) and torrent.status,
        }
        return _run(actions[self.action_name], torrent)


class TorrentControlView(APIView):
    """PATCH /api/torrents/:id {"paused": bool}; DELETE /api/torrents/:id (`?everyone=true`:
    an admin removes it for all its owners; an admin who does not own it always does)."""

    # {"paused": true} is a JSON boolean: a form's "true" is a string (415 says which to send).
    parser_classes = [JSONObjectParser]

    @extend_schema(
        request=inline_serializer("TorrentPatch", {"paused": serializers.BooleanField()}),
        responses={200: _StateSerializer, **_RTORRENT_ANSWERS},
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

    @extend_schema(
        parameters=[OpenApiParameter("everyone", bool, description="admins: for all its owners")],
        responses={
            204: None,
            202: detail("removed; erasing it from rTorrent is pending and will be retried"),
        },
    )
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


class TorrentView(TorrentControlView, TorrentDetailView):
    """`/api/torrents/:id`: GET from the detail view, PATCH and DELETE from the control view, as
    one view class so that the OpenAPI schema describes all three."""

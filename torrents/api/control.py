"""Control API: pause, resume, recheck, reannounce, re-push, PATCH (paused, labels, the
caller's speed limits and seeding rule) and DELETE.

Every torrent is found through `torrent_for_user` (404 for anyone who does not own it). rTorrent
is asked with the quick timeout; when it does not answer, 503 says so and nothing changed.
"""

from collections.abc import Callable

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser
from torrents.api.torrents import TorrentDetailView
from torrents.label_selectors import chips_by_torrent
from torrents.models import Torrent
from torrents.rtorrent import RTorrentError
from torrents.selectors import ownership_of, torrent_for_user
from torrents.services.control import (
    ControlError,
    torrent_delete,
    torrent_reannounce,
    torrent_recheck,
    torrent_repush,
    torrent_set_paused,
)
from torrents.services.labels import LabelError, torrent_labels_set
from torrents.services.seeding import RuleError, ownership_seeding_rule_set
from torrents.services.throttle import LimitError, ownership_limits_set

_TRUE = {"1", "true", "yes", "on"}
_StateSerializer = inline_serializer(
    "TorrentState", {"id": serializers.IntegerField(), "status": serializers.CharField()}
)
_PatchSerializer = inline_serializer(
    "TorrentPatch",
    {
        "paused": serializers.BooleanField(required=False),
        "labels": serializers.ListField(
            child=serializers.CharField(max_length=32),
            required=False,
            max_length=10,
            help_text="Your labels on it, all of them (made as needed; [] removes them).",
        ),
        "upload_limit_kib": serializers.IntegerField(
            required=False, allow_null=True, min_value=1, help_text="yours; KiB/s"
        ),
        "download_limit_kib": serializers.IntegerField(
            required=False, allow_null=True, min_value=1, help_text="yours; KiB/s"
        ),
        "seed_ratio": serializers.FloatField(
            required=False, allow_null=True, help_text="yours; null: your default"
        ),
        "seed_hours": serializers.FloatField(
            required=False, allow_null=True, help_text="yours; null: your default"
        ),
    },
)
_PatchedSerializer = inline_serializer(
    "TorrentPatched",
    {
        "id": serializers.IntegerField(),
        "status": serializers.CharField(),
        "labels": serializers.ListField(child=serializers.CharField()),
    },
)


def _bad(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


# What asking rTorrent may answer besides 200.
_RTORRENT_ANSWERS = {
    409: detail(
        "the torrent cannot do that now (e.g. its metadata has not arrived, or it was "
        "reannounced a moment ago)"
    ),
    502: detail("rTorrent refused"),
    503: detail("rTorrent did not answer in time; nothing changed"),
}


_LIMITS = ("upload_limit_kib", "download_limit_kib")
_RULE = ("seed_ratio", "seed_hours")


def _settings_set(request: Request, torrent: Torrent, data: dict) -> str:
    """Apply the caller's limits and rule for the torrent, all or none; the refusal, or ""."""
    mine = ownership_of(request.user, torrent)
    if mine is None:
        return "only an owner of this torrent sets its speed limits and seeding rule"
    try:
        with transaction.atomic():
            if set(data) & set(_LIMITS):
                ownership_limits_set(
                    torrent=torrent,
                    user=request.user,
                    upload_kib=data.get("upload_limit_kib", mine.upload_limit_kib),
                    download_kib=data.get("download_limit_kib", mine.download_limit_kib),
                )
            if set(data) & set(_RULE):
                ownership_seeding_rule_set(
                    torrent=torrent,
                    user=request.user,
                    ratio=data.get("seed_ratio", mine.seed_ratio),
                    hours=data.get("seed_hours", mine.seed_hours),
                )
    except (LimitError, RuleError) as exc:
        return str(exc)
    return ""


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
    """PATCH /api/torrents/:id {"paused": bool, "labels": [names]}; DELETE /api/torrents/:id
    (`?everyone=true`: an admin removes it for all its owners; an admin who does not own it
    always does)."""

    # {"paused": true} is a JSON boolean: a form's "true" is a string (415 says which to send).
    parser_classes = [JSONObjectParser]

    @extend_schema(
        request=_PatchSerializer,
        responses={
            200: _PatchedSerializer,
            400: detail("a field or value it does not take"),
            **_RTORRENT_ANSWERS,
        },
    )
    def patch(self, request: Request, pk: int) -> Response:
        """`labels` (your own, on a torrent you own), your speed limits (within your caps) and
        seeding rule for this torrent, and `paused`, in one transaction: when rTorrent does not
        do it, nothing else is set either (a 503 means nothing changed)."""
        torrent = torrent_for_user(request.user, pk)
        data = request.data
        unknown = set(data) - {"paused", "labels", *_LIMITS, *_RULE}
        paused = data.get("paused")
        if unknown or not data or ("paused" in data and type(paused) is not bool):
            return _bad(
                'send {"paused": true|false}, {"labels": [names]} and/or your '
                '"upload_limit_kib", "download_limit_kib", "seed_ratio", "seed_hours"; '
                "nothing else can change"
            )
        response = None
        with transaction.atomic():
            if "labels" in data:
                try:
                    torrent_labels_set(user=request.user, torrent=torrent, names=data["labels"])
                except LabelError as exc:
                    transaction.set_rollback(True)
                    return _bad(f"labels: {exc}")
            if set(data) & {*_LIMITS, *_RULE}:
                refusal = _settings_set(request, torrent, data)
                if refusal:
                    transaction.set_rollback(True)
                    return _bad(refusal)
            if paused is not None:
                response = _run(lambda: torrent_set_paused(torrent=torrent, paused=paused), torrent)
                if response.status_code != status.HTTP_200_OK:
                    transaction.set_rollback(True)
                    return response
        chips = chips_by_torrent(request.user, [torrent.pk]).get(torrent.pk, [])
        new_status = response.data["status"] if response else torrent.status
        return Response(
            {"id": torrent.pk, "status": new_status, "labels": [chip.name for chip in chips]}
        )

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

"""File priorities API: an owner skips, selects or raises files of a torrent.

`PATCH /api/torrents/:id/files/:file_id {"priority": "skip" | "normal" | "high"}` for one file,
`POST /api/torrents/:id/files/priorities` for many (`{"files": [{"index" or "id", "priority"}]}`)
or all (`{"all": "skip"}`). Both answer the caller's new charge; 202 when rTorrent cannot be told
now (its node is down): the choice is kept and applied once it answers.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser
from torrents.models import Torrent
from torrents.selectors import torrent_for_user
from torrents.services.file_priorities import (
    LEVELS,
    NotAnOwner,
    PriorityChange,
    PriorityError,
    PriorityQuotaExceeded,
    torrent_set_file_priorities,
)


class FilePriorityPatchSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=list(LEVELS))


class FilePriorityItemSerializer(serializers.Serializer):
    """One file, by its index in the torrent (as `GET .../files` gives it) or its id."""

    index = serializers.IntegerField(required=False, min_value=0)
    id = serializers.IntegerField(required=False, min_value=1)
    priority = serializers.ChoiceField(choices=list(LEVELS))

    def validate(self, attrs: dict) -> dict:
        if ("index" in attrs) == ("id" in attrs):
            raise ValidationError("give either the file's index or its id")
        return attrs


class FilePrioritiesBulkSerializer(serializers.Serializer):
    files = FilePriorityItemSerializer(many=True, required=False, max_length=100_000)
    all = serializers.ChoiceField(choices=list(LEVELS), required=False)

    def validate(self, attrs: dict) -> dict:
        if ("files" in attrs) == ("all" in attrs):
            raise ValidationError('send either "files" (a list) or "all" (one priority)')
        return attrs


_CHANGED = inline_serializer(
    "FilePrioritiesChanged",
    {
        "charged_bytes": serializers.IntegerField(
            help_text="what this torrent takes of your quota"
        ),
        "detail": serializers.CharField(),
    },
)
_ANSWERS = {
    200: _CHANGED,
    202: _CHANGED,
    # 400 (a bad file or priority, or selecting these files passes the quota) is the schema's
    # usual validation answer (seedbox/openapi.py), {"detail"} or field errors.
    403: detail("you do not own this torrent: priorities are each owner's own"),
}


def _answer(change: PriorityChange) -> Response:
    if change.applied_later:
        return Response(
            {"charged_bytes": change.charged_bytes, "detail": change.applied_later},
            status=status.HTTP_202_ACCEPTED,
        )
    return Response({"charged_bytes": change.charged_bytes, "detail": "saved"})


def _set(request: Request, torrent: Torrent, priorities: dict[int, str]) -> Response:
    try:
        change = torrent_set_file_priorities(
            torrent=torrent, user=request.user, priorities=priorities
        )
    except NotAnOwner as exc:
        raise PermissionDenied(str(exc)) from None
    except (PriorityError, PriorityQuotaExceeded) as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return _answer(change)


class TorrentFilePriorityView(APIView):
    """PATCH /api/torrents/:id/files/:file_id {"priority": "skip" | "normal" | "high"}."""

    parser_classes = [JSONObjectParser]

    @extend_schema(request=FilePriorityPatchSerializer, responses=_ANSWERS)
    def patch(self, request: Request, pk: int, file_id: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        file = get_object_or_404(torrent.files.all(), pk=file_id)
        body = FilePriorityPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return _set(request, torrent, {file.index: body.validated_data["priority"]})


class TorrentFilePrioritiesView(APIView):
    """POST /api/torrents/:id/files/priorities: many files at once, or all of them."""

    parser_classes = [JSONObjectParser]

    @extend_schema(request=FilePrioritiesBulkSerializer, responses=_ANSWERS)
    def post(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        body = FilePrioritiesBulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "all" in data:
            indexes = torrent.files.values_list("index", flat=True)
            return _set(request, torrent, dict.fromkeys(indexes, data["all"]))
        by_id = dict(torrent.files.values_list("pk", "index"))
        priorities: dict[int, str] = {}
        for item in data["files"]:
            if "id" in item:
                if item["id"] not in by_id:
                    return Response(
                        {"detail": f"file id {item['id']} is not a file of this torrent"},
                        status=status.HTTP_400_BAD_REQUEST,
                    )
                priorities[by_id[item["id"]]] = item["priority"]
            else:
                priorities[item["index"]] = item["priority"]
        return _set(request, torrent, priorities)

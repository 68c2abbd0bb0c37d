"""Resume positions: `GET/PUT /api/torrents/:id/files/:file_id/position`, where the caller
stopped in a file ({"position_seconds", "duration_seconds"}), kept per user and file. The player
page saves it every ~10 s while playing and on pause; any user who may see the torrent (its
owners, admins) keeps their own."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media.player_selectors import position_of
from media.services.positions import MAX_SECONDS, PositionError, position_save, resume_point
from seedbox.parsers import JSONObjectParser
from torrents.selectors import torrent_for_user


class PositionInSerializer(serializers.Serializer):
    position_seconds = serializers.FloatField(min_value=0, max_value=MAX_SECONDS)
    duration_seconds = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=MAX_SECONDS
    )


class PositionSerializer(serializers.Serializer):
    position_seconds = serializers.FloatField()
    duration_seconds = serializers.FloatField(allow_null=True)
    resume_from = serializers.FloatField(
        allow_null=True, help_text="where the player offers to resume (null: from the start)"
    )
    updated_at = serializers.DateTimeField(allow_null=True)


def _answer(position) -> dict:
    if position is None:
        return {
            "position_seconds": 0.0,
            "duration_seconds": None,
            "resume_from": None,
            "updated_at": None,
        }
    return PositionSerializer(
        {
            "position_seconds": position.position_seconds,
            "duration_seconds": position.duration_seconds,
            "resume_from": resume_point(
                position_seconds=position.position_seconds,
                duration_seconds=position.duration_seconds,
            ),
            "updated_at": position.updated_at,
        }
    ).data


class FilePositionView(APIView):
    """GET: where you stopped in this file (0 when never played); PUT: keep where you are."""

    parser_classes = [JSONObjectParser]

    def _file(self, request: Request, pk: int, file_id: int):
        torrent = torrent_for_user(request.user, pk)
        return get_object_or_404(torrent.files.all(), pk=file_id)

    @extend_schema(responses={200: PositionSerializer})
    def get(self, request: Request, pk: int, file_id: int) -> Response:
        file = self._file(request, pk, file_id)
        return Response(_answer(position_of(user=request.user, file=file)))

    @extend_schema(request=PositionInSerializer, responses={200: PositionSerializer})
    def put(self, request: Request, pk: int, file_id: int) -> Response:
        file = self._file(request, pk, file_id)
        body = PositionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            saved = position_save(
                user=request.user,
                file=file,
                position_seconds=body.validated_data["position_seconds"],
                duration_seconds=body.validated_data.get("duration_seconds"),
            )
        except PositionError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_answer(saved))

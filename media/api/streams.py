"""Playing API: how to play a file (playback JSON), the file inline (stream), HLS playlists and
segments, subtitles as WebVTT. Owners and admins only (torrent_for_user); 404 for everyone else."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media.services.hls import HlsUnavailable, hls_playlist_response, hls_segment_response
from media.services.playback import playback_probe
from media.services.streams import stream_path, stream_response
from media.services.subtitles import SubtitleUnavailable, subtitle_response, subtitles_list
from seedbox.openapi import detail
from torrents.selectors import torrent_for_user

_NOT_AVAILABLE = detail("not yours, not on disk, or no such track or segment")
_RANGE = [OpenApiParameter("Range", str, OpenApiParameter.HEADER, description="bytes=start-end")]


def _ranged_schema(media_type: str, *, body: str, unit: str):
    """extend_schema of a GET answered with Range: the whole `body`, a range of it, 304, 404,
    and 416 for a Range outside the `unit`."""
    return extend_schema(
        parameters=_RANGE,
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=body),
            (206, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="the range"),
            304: OpenApiResponse(description="not modified"),
            404: _NOT_AVAILABLE,
            416: OpenApiResponse(description=f"the Range is outside the {unit}"),
        },
    )


class Refused(APIException):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status_code = status


def _file(request: Request, pk: int, file_id: int):
    torrent = torrent_for_user(request.user, pk)
    return torrent, get_object_or_404(torrent.files.all(), pk=file_id)


class SubtitleSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    language = serializers.CharField(allow_blank=True)
    url = serializers.CharField()


class AudioTrackSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    codec = serializers.CharField(allow_blank=True)
    language = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    channels = serializers.IntegerField(allow_null=True)
    default = serializers.BooleanField()
    hls_url = serializers.CharField(allow_null=True, help_text="HLS with this track's audio")


class PlaybackSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["video", "audio", "subtitle", "other"])
    direct = serializers.BooleanField(help_text="the browser plays stream_url as it is")
    type = serializers.CharField(allow_blank=True, help_text="stream_url's MIME type, or ''")
    stream_url = serializers.CharField()
    hls_url = serializers.CharField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    subtitles = SubtitleSerializer(many=True)
    audio_tracks = AudioTrackSerializer(many=True)


class PlaybackView(APIView):
    """GET /api/torrents/:id/files/:file_id/playback: how to play the file (probed once)."""

    @extend_schema(responses={200: PlaybackSerializer, 404: _NOT_AVAILABLE})
    def get(self, request: Request, pk: int, file_id: int) -> Response:
        torrent, file = _file(request, pk, file_id)
        path = stream_path(torrent=torrent, file=file, user=request.user)
        playback = playback_probe(file=file, path=path)
        args = {"pk": pk, "file_id": file_id}
        subtitles = [
            {
                "id": s.id,
                "label": s.label,
                "language": s.language,
                "url": reverse("api-media-subtitle", kwargs={**args, "sub_id": s.id}),
            }
            for s in subtitles_list(torrent=torrent, file=file, playback=playback)
        ]
        hls_url = reverse("api-media-hls", kwargs=args) if playback.hls_mode else None
        tracks = [
            {key: t.get(key) for key in ("index", "codec", "language", "title", "channels")}
            | {
                "default": bool(t.get("default")),
                "hls_url": f"{hls_url}?audio={t.get('index')}" if hls_url else None,
            }
            for t in playback.media.audio_tracks or []
        ]
        media = playback.media
        return Response(
            {
                "kind": media.kind if media.kind in ("video", "audio") else "other",
                "direct": bool(playback.browser_type),
                "type": playback.browser_type,
                "stream_url": reverse("api-media-stream", kwargs=args),
                "hls_url": hls_url,
                "duration_seconds": media.duration_seconds,
                "subtitles": subtitles,
                "audio_tracks": tracks,
            }
        )


class StreamView(APIView):
    """GET /api/torrents/:id/files/:file_id/stream: the file inline, with Range."""

    @_ranged_schema("*/*", body="the file", unit="file")
    def get(self, request: Request, pk: int, file_id: int) -> HttpResponse:
        torrent, file = _file(request, pk, file_id)
        return stream_response(request, torrent=torrent, file=file)


class StartSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, max_value=10**7, default=0, required=False)
    audio = serializers.IntegerField(
        min_value=0, max_value=10**4, required=False, help_text="ffprobe's audio stream index"
    )


class HlsPlaylistView(APIView):
    """GET /api/torrents/:id/files/:file_id/hls/index.m3u8[?start=seconds&audio=stream]: HLS,
    served while ffmpeg makes it (the first request starts it and waits for a segment)."""

    @extend_schema(
        parameters=[StartSerializer],
        responses={
            (200, "application/vnd.apple.mpegurl"): OpenApiResponse(
                OpenApiTypes.STR, description="an EVENT playlist; ENDLIST once complete"
            ),
            400: detail("start is not a number of seconds inside the file, or no such audio"),
            404: _NOT_AVAILABLE,
            409: detail("the file is not completely downloaded yet"),
            503: detail("the encoder failed, or its first segment is not ready yet: retry"),
        },
    )
    def get(self, request: Request, pk: int, file_id: int) -> HttpResponse:
        torrent, file = _file(request, pk, file_id)
        query = StartSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        def url_for(name: str) -> str:
            encode_id, segment = name.split("/")
            return reverse(
                "api-media-hls-segment",
                kwargs={"pk": pk, "file_id": file_id, "encode_id": encode_id, "segment": segment},
            )

        try:
            return hls_playlist_response(
                request, torrent=torrent, file=file, start=query.validated_data["start"],
                audio=query.validated_data.get("audio"), url_for=url_for,
            )  # fmt: skip
        except HlsUnavailable as exc:
            raise Refused(str(exc), exc.status) from None


class HlsSegmentView(APIView):
    """GET /api/torrents/:id/files/:file_id/hls/:encode_id/segNNNNN.ts: one MPEG-TS segment."""

    @_ranged_schema("video/mp2t", body="a segment", unit="segment")
    def get(
        self, request: Request, pk: int, file_id: int, encode_id: int, segment: str
    ) -> HttpResponse:
        _, file = _file(request, pk, file_id)
        return hls_segment_response(request, file=file, name=f"{encode_id}/{segment}")


class SubtitleView(APIView):
    """GET /api/torrents/:id/files/:file_id/subtitles/:sub_id.vtt: a subtitle as WebVTT."""

    @extend_schema(
        responses={
            (200, "text/vtt"): OpenApiResponse(OpenApiTypes.STR, description="WebVTT"),
            304: OpenApiResponse(description="not modified"),
            404: _NOT_AVAILABLE,
            422: detail("ffmpeg could not convert this subtitle"),
        },
    )
    def get(self, request: Request, pk: int, file_id: int, sub_id: str) -> HttpResponse:
        torrent, file = _file(request, pk, file_id)
        try:
            return subtitle_response(request, torrent=torrent, file=file, sub_id=sub_id)
        except SubtitleUnavailable as exc:
            raise Refused(str(exc), 422) from None

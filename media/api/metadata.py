"""Metadata API: what a torrent is (title, year, film or episode, overview, poster) and what each
of its media files holds (ffprobe's fields), and the posters themselves as JPEGs. Owners and
admins only (torrent_for_user); 404 for everyone else, and for a poster not made (yet)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media.models import MediaFile
from media.services.metadata import media_files_of
from media.services.posters import poster_absolute
from media.services.titles import media_title_of
from seedbox.file_serving import file_response
from seedbox.openapi import detail
from torrents.selectors import torrent_for_user

POSTER_CACHE = "private, max-age=86400"


class MediaFileSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="file_id")
    path = serializers.CharField(source="file.path")
    poster_url = serializers.SerializerMethodField()
    audio_tracks = serializers.ListField(child=serializers.DictField())
    subtitle_tracks = serializers.ListField(child=serializers.DictField())

    class Meta:
        model = MediaFile
        fields = [
            "id", "path", "kind", "probed_at", "error", "container", "duration_seconds",
            "bit_rate", "width", "height", "video_codec", "audio_codec", "audio_tracks",
            "subtitle_tracks", "browser_playable", "hls_mode", "title", "year", "season",
            "episode", "media_type", "poster_url",
        ]  # fmt: skip

    def get_poster_url(self, media: MediaFile) -> str | None:
        if not media.poster:
            return None
        url = reverse("api-media-file-poster", args=[media.file.torrent_id, media.file_id])
        return self.context["request"].build_absolute_uri(url)


class TorrentMediaSerializer(serializers.Serializer):
    torrent_id = serializers.IntegerField()
    title = serializers.CharField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    type = serializers.CharField(allow_null=True, help_text="movie, episode, or ''")
    season = serializers.IntegerField(allow_null=True)
    episode = serializers.IntegerField(allow_null=True)
    overview = serializers.CharField(allow_null=True)
    source = serializers.CharField(allow_null=True, help_text="parsed (guessit) or tmdb")
    tmdb_id = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_null=True, help_text="why TMDB could not tell")
    poster_url = serializers.CharField(allow_null=True)
    files = MediaFileSerializer(many=True)


class TorrentMediaView(APIView):
    """GET /api/torrents/:id/media: the torrent's title and its probed files (all nulls and no
    files until the metadata task has run)."""

    @extend_schema(responses=TorrentMediaSerializer)
    def get(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        title = media_title_of(torrent_id=torrent.pk)
        poster_url = None
        if title is not None and title.poster:
            poster_url = request.build_absolute_uri(reverse("api-media-poster", args=[torrent.pk]))
        files = MediaFileSerializer(
            media_files_of(torrent=torrent), many=True, context={"request": request}
        ).data

        def of_title(name: str):
            return getattr(title, name) if title is not None else None

        return Response(
            {
                "torrent_id": torrent.pk,
                "title": of_title("title"),
                "year": of_title("year"),
                "type": of_title("media_type"),
                "season": of_title("season"),
                "episode": of_title("episode"),
                "overview": of_title("overview"),
                "source": of_title("source"),
                "tmdb_id": of_title("tmdb_id"),
                "error": of_title("error"),
                "poster_url": poster_url,
                "files": files,
            }
        )


_JPEG = {
    (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="the poster"),
    304: OpenApiResponse(description="not modified since the client's copy"),
    404: detail("not yours, or no poster (yet)"),
}


def _poster(request: Request, relative: str, filename: str) -> HttpResponse:
    path = poster_absolute(relative)
    if path is None:
        raise Http404("no poster")
    served = file_response(
        request,
        path,
        filename=filename,
        inline=True,
        content_type="image/jpeg",
        cache_control=POSTER_CACHE,
    )
    return served.response


class TorrentPosterView(APIView):
    """GET /api/torrents/:id/poster: TMDB's poster, or the main video's frame."""

    @extend_schema(responses=_JPEG)
    def get(self, request: Request, pk: int) -> HttpResponse:
        torrent = torrent_for_user(request.user, pk)
        title = media_title_of(torrent_id=torrent.pk)
        return _poster(request, title.poster if title else "", f"poster-{torrent.pk}.jpg")


class FilePosterView(APIView):
    """GET /api/torrents/:id/files/:file_id/poster: the frame ffmpeg took of that file."""

    @extend_schema(responses=_JPEG)
    def get(self, request: Request, pk: int, file_id: int) -> HttpResponse:
        torrent = torrent_for_user(request.user, pk)
        media = get_object_or_404(MediaFile, file__torrent=torrent, file_id=file_id)
        return _poster(request, media.poster, f"poster-{torrent.pk}-{file_id}.jpg")

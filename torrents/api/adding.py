"""Adding, before and around the upload: the check of a request's shape before any data is
sent (`POST /api/torrents/check`), the preview of a .torrent's files and verdicts
(`POST /api/torrents/preview`), and the state of a fetch by URL (`GET /api/torrents/fetches/<id>`).
The same service checks as the intake (torrents/services/intake_checks.py)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser
from torrents.metainfo import MetainfoError
from torrents.models import TorrentFetch
from torrents.selectors import torrent_fetch_for_user
from torrents.services.intake import metainfo_read
from torrents.services.intake_checks import (
    PlannedFile,
    Verdict,
    intake_precheck,
    metainfo_preview,
)


def _lines(values: list[str]) -> list[str]:
    return [line.strip() for value in values for line in value.splitlines() if line.strip()]


class PlannedFileSerializer(serializers.Serializer):
    path = serializers.CharField(max_length=4096, help_text="The name, or the path in a folder.")
    size = serializers.IntegerField(min_value=0, max_value=1 << 62)


class TorrentCheckRequestSerializer(serializers.Serializer):
    """The shape of what the add request will send, as the browser knows it before sending."""

    torrents = PlannedFileSerializer(many=True, required=False, help_text=".torrent files")
    magnets = serializers.ListField(child=serializers.CharField(), required=False)
    url = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="URLs of .torrent files"
    )
    torrent = PlannedFileSerializer(required=False, help_text="a .torrent sent with its data")
    files = PlannedFileSerializer(many=True, required=False, help_text="data files")
    name = serializers.CharField(required=False, allow_blank=True, max_length=1024)
    trackers = serializers.ListField(child=serializers.CharField(), required=False)
    labels = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=400,
        help_text="Your labels for what is added, comma-separated (as POST /api/torrents takes).",
    )
    paused = serializers.BooleanField(required=False)


class VerdictSerializer(serializers.Serializer):
    name = serializers.CharField()
    ok = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    field = serializers.CharField(allow_null=True)


class TorrentCheckResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="Nothing would be refused: send the request.")
    detail = serializers.CharField(
        allow_blank=True, help_text="Why the whole request would be refused, if it would."
    )
    verdicts = VerdictSerializer(many=True)


def _verdict(verdict: Verdict) -> dict:
    return {
        "name": verdict.name,
        "ok": verdict.ok,
        "reason": verdict.reason,
        "field": verdict.field,
    }


class TorrentCheckView(generics.GenericAPIView):
    """What POST /api/torrents would refuse in a request of this shape, judged without its data:
    names, paths, trackers (safety check and rules), item count, quota against the sizes given,
    URLs' addresses. 200 with a verdict per item; fields not listed are ignored."""

    parser_classes = [JSONObjectParser]
    serializer_class = TorrentCheckRequestSerializer

    @extend_schema(
        request=TorrentCheckRequestSerializer,
        responses={200: TorrentCheckResultSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        torrent = data.get("torrent")
        result = intake_precheck(
            user=request.user,
            torrents=[PlannedFile(**f) for f in data.get("torrents", [])],
            magnets=_lines(data.get("magnets", [])),
            urls=_lines(data.get("url", [])),
            torrent=PlannedFile(**torrent) if torrent else None,
            files=[PlannedFile(**f) for f in data.get("files", [])],
            name=data.get("name", ""),
            trackers=_lines(data.get("trackers", [])),
            labels=data.get("labels", ""),
        )
        return Response(
            {
                "ok": result.ok,
                "detail": result.detail,
                "verdicts": [_verdict(v) for v in result.verdicts],
            }
        )


class PreviewFileSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Its index, as `skip_files` takes it.")
    path = serializers.CharField()
    size_bytes = serializers.IntegerField()


class TorrentPreviewSerializer(serializers.Serializer):
    name = serializers.CharField()
    info_hash = serializers.CharField()
    size_bytes = serializers.IntegerField()
    private = serializers.BooleanField()
    files = PreviewFileSerializer(many=True)
    ok = serializers.BooleanField(help_text="Adding it now would pass the trackers and quota.")
    trackers = VerdictSerializer()
    quota = VerdictSerializer()


class TorrentPreviewRequestSerializer(serializers.Serializer):
    torrent = serializers.FileField(help_text="the .torrent file")


class TorrentPreviewView(generics.GenericAPIView):
    """A .torrent read, not added: its name, size and files (each with the index `skip_files`
    takes), and the verdicts of its trackers and of the quota. 400 for a file that is not a
    torrent this site accepts."""

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = TorrentPreviewRequestSerializer

    @extend_schema(
        request={"multipart/form-data": TorrentPreviewRequestSerializer},
        responses={200: TorrentPreviewSerializer, 400: detail("not a usable .torrent")},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("torrent")
        if upload is None:
            return Response({"detail": "send the .torrent file as 'torrent'"}, status=400)
        try:
            meta = metainfo_read(upload)
        except MetainfoError as exc:
            return Response({"detail": str(exc)}, status=400)
        preview = metainfo_preview(user=request.user, meta=meta)
        return Response(
            {
                "name": meta.name,
                "info_hash": meta.info_hash,
                "size_bytes": meta.size,
                "private": meta.private,
                "files": [
                    {"index": i, "path": f.path, "size_bytes": f.size}
                    for i, f in enumerate(meta.files)
                ],
                "ok": preview.ok,
                "trackers": _verdict(preview.trackers),
                "quota": _verdict(preview.quota),
            }
        )


class TorrentFetchSerializer(serializers.ModelSerializer):
    class Meta:
        model = TorrentFetch
        fields = ["id", "url", "state", "error", "torrent", "paused", "created_at", "updated_at"]
        read_only_fields = fields


class TorrentFetchView(generics.RetrieveAPIView):
    """A .torrent fetched by URL: `fetching`, then `added` (with the torrent's id) or `failed`
    (with what failed in `error`). 404 for anyone but who asked and admins."""

    serializer_class = TorrentFetchSerializer

    def get_object(self) -> TorrentFetch:
        return torrent_fetch_for_user(self.request.user, self.kwargs["pk"])

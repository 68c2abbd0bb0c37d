"""`/api/torrents`: list (filtered, paginated), add (four ways in), detail, the .torrent file."""

import django_filters
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from seedbox.openapi import detail
from torrents.api.serializers import TorrentDetailSerializer, TorrentListSerializer
from torrents.models import Torrent, TorrentStatus
from torrents.selectors import torrent_for_user, torrent_secrets_visible_to, torrents_visible_to
from torrents.services.intake import IntakeRequestError, intake_submit
from torrents.upload_guard import Refusal, upload_guard_install

_TRUE = {"1", "true", "on", "yes"}


class TorrentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TorrentStatus.choices)
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    user = django_filters.NumberFilter(method="filter_user")

    class Meta:
        model = Torrent
        fields = ["status", "q", "user"]

    def filter_user(self, queryset, name, value):
        """Admins only: the torrents a given user owns (others only ever see their own)."""
        if not self.request.user.is_staff:
            return queryset
        return queryset.filter(ownerships__user_id=value)


@extend_schema_field(OpenApiTypes.BINARY)
class _Upload(serializers.FileField):
    """A file part of the multipart body (the schema says binary, not a URL)."""


_Detail = inline_serializer("UploadDetail", {"detail": serializers.CharField()})
_AddRequest = inline_serializer(
    "TorrentAddRequest",
    {
        "torrents": serializers.ListField(child=_Upload(), required=False),
        "magnets": serializers.ListField(child=serializers.CharField(), required=False),
        "torrent": _Upload(required=False),
        "files": serializers.ListField(child=_Upload(), required=False),
        "paths": serializers.ListField(child=serializers.CharField(), required=False),
        "name": serializers.CharField(required=False),
        "trackers": serializers.ListField(child=serializers.CharField(), required=False),
        "private": serializers.BooleanField(required=False),
        "comment": serializers.CharField(required=False),
    },
)


class TorrentRejectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()
    field = serializers.CharField(allow_null=True)


_Rejection = TorrentRejectionSerializer(many=True)
_AddResult = inline_serializer(
    "TorrentAddResult",
    {
        "added": TorrentListSerializer(many=True),
        "rejected": _Rejection,
        "detail": serializers.CharField(required=False),
    },
)
# 400: nothing was added (the same shape, with the reasons), or the request itself is refused
# (nothing sent, too many items: a `detail` only).
_AddRefused = inline_serializer(
    "TorrentAddRefused",
    {
        "detail": serializers.CharField(),
        "added": TorrentListSerializer(many=True, required=False),
        "rejected": TorrentRejectionSerializer(many=True, required=False),
    },
)


class UploadRefusedError(exceptions.APIException):
    """The upload guard stopped the request: 413 or 507 with its reason."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.status_code = refusal.status


class TorrentListCreateView(generics.ListAPIView):
    """GET: the caller's torrents (admins: all). POST: add torrents (multipart)."""

    serializer_class = TorrentListSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TorrentFilter
    ordering_fields = ["name", "size_bytes", "created_at", "status", "completed_bytes"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        # The raw metainfo (up to SEEDBOX_METAINFO_MAX_SIZE each) is never shown in a list.
        return torrents_visible_to(self.request.user).select_related("node").defer("metainfo")

    def initial(self, request: Request, *args, **kwargs) -> None:
        # The guard must be in place before anything reads the body, and with a session the
        # CSRF check in authentication does; a refusal there leaves the body unread and the
        # token with it, so the refusal, not "CSRF failed", is the answer.
        self.upload_guard = None
        if request.method == "POST":
            self.upload_guard = upload_guard_install(request._request)
        try:
            super().initial(request, *args, **kwargs)
        except exceptions.PermissionDenied:
            if self.upload_guard is not None and self.upload_guard.refusal is not None:
                raise UploadRefusedError(self.upload_guard.refusal) from None
            raise

    @extend_schema(
        request={"multipart/form-data": _AddRequest},
        responses={
            201: _AddResult,
            400: _AddRefused,
            401: _Detail,
            403: _Detail,
            413: _Detail,
            507: _Detail,
        },
    )
    def post(self, request: Request) -> Response:
        request.data  # noqa: B018 (parses the body through the guard)
        if self.upload_guard.refusal is not None:
            raise UploadRefusedError(self.upload_guard.refusal)
        # No body at all parses to {} rather than a form: read it as an empty form (then 400).
        data = request.data if isinstance(request.data, QueryDict) else QueryDict()
        files = request.FILES
        try:
            result = intake_submit(
                user=request.user,
                torrents=files.getlist("torrents"),
                magnets=data.getlist("magnets"),
                torrent=files.get("torrent"),
                files=files.getlist("files"),
                paths=data.getlist("paths"),
                name=data.get("name", ""),
                trackers=data.getlist("trackers"),
                private=str(data.get("private", "")).lower() in _TRUE,
                comment=data.get("comment", ""),
            )
        except IntakeRequestError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        body = {
            "added": TorrentListSerializer(result.added, many=True).data,
            "rejected": [
                {"name": r.name, "reason": r.reason, "field": r.field} for r in result.rejected
            ],
        }
        if not result.added:
            body["detail"] = "nothing was added"
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_201_CREATED)


class TorrentDetailView(generics.RetrieveAPIView):
    """One torrent with its files and trackers (owners too, for admins). 404 for non-owners."""

    serializer_class = TorrentDetailSerializer

    def get_object(self) -> Torrent:
        queryset = (
            torrents_visible_to(self.request.user).select_related("node").prefetch_related("files")
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])


class TorrentMetainfoView(generics.GenericAPIView):
    """The .torrent file as it was added (or made by the site)."""

    @extend_schema(
        responses={
            (200, "application/x-bittorrent"): OpenApiTypes.BINARY,
            404: detail("not yours, not added by you, or no metadata yet"),
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        torrent = torrent_for_user(request.user, pk)
        if not torrent_secrets_visible_to(request.user, torrent):
            # Its announce URLs may hold the adder's passkey: theirs and admins' only.
            return Response(
                {"detail": "only the user who added this torrent can download its .torrent"},
                status=status.HTTP_404_NOT_FOUND,
            )
        if torrent.metainfo is None:
            return Response(
                {"detail": "no .torrent yet: this magnet link's metadata has not arrived"},
                status=status.HTTP_404_NOT_FOUND,
            )
        response = HttpResponse(bytes(torrent.metainfo), content_type="application/x-bittorrent")
        # RFC 6266/5987: a name with quotes, CR/LF or non-ASCII is percent-encoded, never raw.
        response["Content-Disposition"] = content_disposition_header(
            True, f"{torrent.name or torrent.info_hash}.torrent"
        )
        return response

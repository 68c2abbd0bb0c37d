"""`/api/torrents`: list (filtered, paginated), add (four ways in), detail, the .torrent file."""

import django_filters
from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from seedbox.openapi import detail
from torrents.api.serializers import TorrentDetailSerializer, TorrentListSerializer
from torrents.models import Torrent, TorrentStatus
from torrents.selectors import torrent_for_user, torrent_secrets_visible_to, torrents_visible_to
from torrents.services.intake import IntakeRequestError, intake_submit

_TRUE = {"1", "true", "on", "yes"}
# The four ways in (README "Adding torrents"); 400 when nothing was added, with the reasons.
_ADD_REQUEST = inline_serializer(
    "TorrentAdd",
    {
        "torrents": serializers.ListField(child=serializers.FileField(), required=False),
        "magnets": serializers.ListField(child=serializers.CharField(), required=False),
        "torrent": serializers.FileField(required=False, help_text="a .torrent with its data"),
        "files": serializers.ListField(child=serializers.FileField(), required=False),
        "paths": serializers.ListField(child=serializers.CharField(), required=False),
        "name": serializers.CharField(required=False),
        "trackers": serializers.ListField(child=serializers.CharField(), required=False),
        "private": serializers.BooleanField(required=False),
        "comment": serializers.CharField(required=False),
    },
)
_ADD_ANSWER = inline_serializer(
    "TorrentAddResult",
    {
        "added": TorrentListSerializer(many=True),
        "rejected": inline_serializer(
            "TorrentRejection",
            {
                "name": serializers.CharField(),
                "reason": serializers.CharField(),
                "field": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
    },
)


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

    @extend_schema(
        request=_ADD_REQUEST,
        responses={
            201: _ADD_ANSWER,
            413: detail("the request is larger than SEEDBOX_UPLOAD_MAX_SIZE"),
        },
    )
    def post(self, request: Request) -> Response:
        limit = settings.SEEDBOX_UPLOAD_MAX_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return Response(
                {"detail": f"the upload is {length:,} bytes; at most {limit:,} are accepted"},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
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
        filename = torrent.name.replace('"', "").replace("\\", "") or torrent.info_hash
        response["Content-Disposition"] = f'attachment; filename="{filename}.torrent"'
        return response

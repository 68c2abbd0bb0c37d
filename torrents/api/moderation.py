"""`POST /api/torrents/:id/approve` and `/reject`: admins decide on pending torrents."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from torrents.api.serializers import RejectSerializer, TorrentDetailSerializer
from torrents.models import Torrent
from torrents.selectors import torrent_for_user
from torrents.services.moderation import ModerationError, torrent_approve, torrent_reject


def _torrent_to_moderate(request: Request, pk: int) -> Torrent:
    """404 for anyone who may not see it; 403 for an owner who is not an admin."""
    torrent = torrent_for_user(request.user, pk)
    if not request.user.is_staff:
        raise PermissionDenied("only administrators approve or reject torrents")
    return torrent


def _answer(request: Request, decide) -> Response:
    try:
        torrent = decide()
    except ModerationError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return Response(TorrentDetailSerializer(torrent, context={"request": request}).data)


_ANSWERS = {
    200: TorrentDetailSerializer,
    403: detail("an owner who is not an administrator"),
    409: detail("it is not waiting for approval"),
}


class TorrentApproveView(APIView):
    @extend_schema(request=None, responses=_ANSWERS)
    def post(self, request: Request, pk: int) -> Response:
        torrent = _torrent_to_moderate(request, pk)
        return _answer(request, lambda: torrent_approve(torrent=torrent, by=request.user))


class TorrentRejectView(APIView):
    @extend_schema(request=RejectSerializer, responses=_ANSWERS)
    def post(self, request: Request, pk: int) -> Response:
        torrent = _torrent_to_moderate(request, pk)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data["reason"]
        return _answer(
            request, lambda: torrent_reject(torrent=torrent, by=request.user, reason=reason)
        )

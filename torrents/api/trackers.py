"""`/api/trackers`: tracker rules, for admins only; `/api/torrents/:id/trackers`: a torrent's
trackers as rTorrent sees them now, for whoever may see the torrent."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from torrents.api.serializers import TrackerRuleSerializer
from torrents.models import TrackerRule
from torrents.rtorrent import RTorrentError
from torrents.selectors import torrent_for_user, tracker_states_shown
from torrents.services.control import ControlError
from torrents.services.tracker_states import torrent_tracker_states


class TrackerRuleListView(generics.ListCreateAPIView):
    permission_classes = [IsAdminUser]
    serializer_class = TrackerRuleSerializer
    queryset = TrackerRule.objects.all()


class TrackerRuleDetailView(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsAdminUser]
    serializer_class = TrackerRuleSerializer
    queryset = TrackerRule.objects.all()


class TrackerStateSerializer(serializers.Serializer):
    """One tracker as rTorrent sees it now (times in UTC, null for never)."""

    url = serializers.CharField(
        help_text="In full only if it is yours (admins: all); otherwise scheme://host:port."
    )
    full_url = serializers.BooleanField()
    enabled = serializers.BooleanField()
    busy = serializers.BooleanField(help_text="An announce is on its way now.")
    last_announce_at = serializers.DateTimeField(allow_null=True)
    last_result = serializers.ChoiceField(
        choices=["ok", "failed", ""], help_text='"" before any answer.'
    )
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_failure_at = serializers.DateTimeField(allow_null=True)
    next_announce_at = serializers.DateTimeField(allow_null=True)
    successes = serializers.IntegerField()
    failures = serializers.IntegerField(help_text="Failures in a row.")
    seeders = serializers.IntegerField()
    leechers = serializers.IntegerField()
    peers_received = serializers.IntegerField(help_text="Peers in its last answer.")
    last_event = serializers.CharField()


class TorrentTrackersSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trackers = TrackerStateSerializer(many=True)
    message = serializers.CharField(
        help_text="rTorrent's message for the torrent: where it says why a tracker failed."
    )


class TorrentTrackersView(APIView):
    """GET /api/torrents/:id/trackers: each tracker's live state, read from rTorrent now (one
    short call). 404 for anyone who may not see the torrent."""

    @extend_schema(
        responses={
            200: TorrentTrackersSerializer,
            409: detail("the torrent is not in rTorrent (queued, missing, removed...)"),
            502: detail("rTorrent refused"),
            503: detail("rTorrent did not answer in time"),
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        try:
            report = torrent_tracker_states(torrent=torrent)
        except ControlError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except RTorrentError as exc:
            code = (
                status.HTTP_503_SERVICE_UNAVAILABLE
                if exc.transient
                else status.HTTP_502_BAD_GATEWAY
            )
            return Response({"detail": f"rTorrent did not answer: {exc.message}"}, status=code)
        shown = tracker_states_shown(request.user, torrent, report)
        return Response(TorrentTrackersSerializer({"id": torrent.pk, **shown}).data)

"""`/api/torrents/counts` (how many torrents each filter value holds, under the other filters)
and `/api/torrents/totals` (the list's totals bar): the same selectors as the page's sidebar and
totals bar (torrents/list_selectors.py)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from torrents.list_selectors import (
    ListFilters,
    torrent_facets,
    torrent_totals,
    torrents_filtered,
    torrents_found,
)
from torrents.list_versions import list_versions
from torrents.models import TorrentStatus
from torrents.search.ranked import RANKED_MAX
from torrents.stalled import STALLED
from torrents.tracker_host import HOST_MAX_LENGTH


class CountsQuerySerializer(serializers.Serializer):
    """The list's own filters (`GET /api/torrents` takes the same)."""

    status = serializers.ListField(
        child=serializers.ChoiceField(choices=[*TorrentStatus.choices, (STALLED, "stalled")]),
        required=False,
    )
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    label = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="One of your labels."
    )
    tracker = serializers.CharField(required=False, allow_blank=True, max_length=HOST_MAX_LENGTH)
    owner = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=254,
        help_text="Admins only: one owner's torrents, by email (ignored for others).",
    )


_Counts = inline_serializer(
    "TorrentCounts",
    {
        "status": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Per status, under every filter but status (removed included).",
        ),
        "stalled": serializers.DictField(
            child=serializers.IntegerField(),
            help_text='{"stalled": n}: the derived status, under every filter but status.',
        ),
        "tracker": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Per tracker host (the busiest 50), under every filter but tracker.",
        ),
        "label": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="Per label of yours, under every filter but label.",
        ),
        "total": serializers.IntegerField(
            help_text="What GET /api/torrents counts with these (with `q`: as its ranked "
            f"list counts, {RANKED_MAX:,} at most: see `count_capped`)."
        ),
        "count_capped": serializers.BooleanField(
            help_text=f"With `q`: true when more than {RANKED_MAX:,} torrents match these "
            f"filters; `total` then says {RANKED_MAX:,}, as GET /api/torrents?q= says it "
            "with its own `count_capped` (false without `q`)."
        ),
        "capped": serializers.DictField(
            child=serializers.BooleanField(),
            help_text="With `q`: per dimension (status, tracker, label), true when more than "
            f"{RANKED_MAX:,} torrents matched under its other filters: its counts are then "
            f"of the newest {RANKED_MAX:,} of them only (each a floor). Empty without `q`.",
        ),
    },
)
_Node = inline_serializer(
    "NodeFreeSpace",
    {
        "name": serializers.CharField(),
        "enabled": serializers.BooleanField(),
        "is_up": serializers.BooleanField(allow_null=True),
        "free_bytes": serializers.IntegerField(
            allow_null=True, help_text="null: its data root is not visible from the site"
        ),
    },
)
_Totals = inline_serializer(
    "TorrentTotals",
    {
        "down_rate": serializers.IntegerField(help_text="bytes/s, summed over what you see"),
        "up_rate": serializers.IntegerField(help_text="bytes/s, summed over what you see"),
        "used_bytes": serializers.IntegerField(),
        "quota_bytes": serializers.IntegerField(),
        "nodes": serializers.ListField(
            child=_Node, required=False, help_text="Admins only: free space per node."
        ),
    },
)


def _filters(request: Request) -> ListFilters:
    params = request.query_params
    data = {k: params[k] for k in ("q", "tracker", "owner", "label") if k in params}
    query = CountsQuerySerializer(data={"status": params.getlist("status"), **data})
    if not query.is_valid():
        raise ValidationError(query.errors)
    data = query.validated_data
    return ListFilters(
        statuses=tuple(data.get("status", ())),
        q=data.get("q", "").strip(),
        tracker=data.get("tracker", "").strip().lower(),
        owner=data.get("owner", "").strip() if request.user.is_staff else "",
        label=" ".join(data.get("label", "").split()),
        include_removed=True,  # as the API's list: admins see removed rows
    )


class TorrentCountsView(APIView):
    """GET: per status and per tracker host, how many of your torrents (admins: all) match the
    other filters given."""

    @extend_schema(parameters=[CountsQuerySerializer], responses={200: _Counts})
    def get(self, request: Request) -> Response:
        filters = _filters(request)
        # As the page: a search's reads (its matched ids, its matches) kept across requests
        # while what they depend on holds, and the counts' version from the same query.
        versions = list_versions(request.user)
        filters.reads.keep_under(versions.search, counts=versions.counts)
        facets = torrent_facets(request.user, filters, version=versions.counts)
        body = {name: facets[name] for name in ("status", "stalled", "tracker", "label")}
        body["capped"] = facets.get("capped", {})
        statuses = facets["status"]
        if filters.q:  # the ranked list's count, of the newest RANKED_MAX matches at most
            total, capped = torrents_found(request.user, filters, facets)
            return Response({**body, "total": total, "count_capped": capped})
        if STALLED in filters.statuses:  # stalled ones are downloading: counted, not summed
            total = torrents_filtered(request.user, filters).count()
            return Response({**body, "total": total, "count_capped": False})
        wanted = filters.statuses or tuple(statuses)
        total = sum(statuses.get(s, 0) for s in wanted)
        return Response({**body, "total": total, "count_capped": False})


class TorrentTotalsView(APIView):
    """GET: the summed rates of your torrents (admins: all), your disk used of your quota and,
    for admins, each node's free space."""

    @extend_schema(responses={200: _Totals})
    def get(self, request: Request) -> Response:
        return Response(torrent_totals(request.user))

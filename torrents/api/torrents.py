"""`/api/torrents`: list (filtered, paginated), add (every way in), detail, the .torrent file."""

import django_filters
from django.db.models import Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from seedbox.openapi import detail
from torrents.api.adding import TorrentFetchSerializer
from torrents.api.list_cursor import CursorError, cursor_make, cursor_now, cursor_read
from torrents.api.list_rows import COMPACT_FIELDS, FIELD_SETS, list_rows
from torrents.api.pagination import (
    MAX_PAGE_SIZE,
    TorrentPagination,
    paginate_ranked,
    paginate_rows,
)
from torrents.api.serializers import TorrentDetailSerializer, TorrentListSerializer
from torrents.label_selectors import labelled_count, torrents_labelled
from torrents.list_selectors import torrents_on_tracker, torrents_with_status
from torrents.models import Torrent, TorrentStatus
from torrents.search import MATCHED_FILES, search_matched_files, torrents_search
from torrents.search.ranked import RANKED_MAX, ranked_page
from torrents.selectors import (
    torrent_for_user,
    torrent_ids_gone_since,
    torrent_secrets_visible_to,
    torrents_changed_since,
    torrents_count_visible_to,
    torrents_visible_to,
)
from torrents.services.intake import IntakeRequestError, skip_files_parse
from torrents.services.intake_request import intake_submit
from torrents.stalled import STALLED, stalled_q
from torrents.tracker_host import HOST_MAX_LENGTH
from torrents.upload_guard import Refusal, upload_guard_install

_TRUE = {"1", "true", "on", "yes"}


class TorrentFilter(django_filters.FilterSet):
    # The stored statuses and the derived `stalled` (torrents/stalled.py).
    status = django_filters.MultipleChoiceFilter(
        choices=[*TorrentStatus.choices, (STALLED, "stalled")], method="filter_status"
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text="Search names, media titles, file paths and your labels. On Postgres: "
        'full-text, `"exact phrase"`, `-without`, `or`, the last word a prefix; the best '
        f"matches first unless `ordering` is given (then of the newest {RANKED_MAX:,} matches "
        "at most: see `count_capped`); each row then names its `matched_files`.",
    )
    user = django_filters.NumberFilter(method="filter_user")
    label = django_filters.CharFilter(
        method="filter_label",
        max_length=200,
        help_text="One of your labels (any case). Admins, who see everyone's torrents: "
        "the torrents they labelled so themselves.",
    )
    tracker = django_filters.CharFilter(
        method="filter_tracker",
        max_length=HOST_MAX_LENGTH,
        help_text="A tracker host: the torrents your own announce URLs send to it (admins: "
        "anyone's, or `owner`'s).",
    )
    owner = django_filters.CharFilter(
        method="filter_owner",
        max_length=254,
        help_text="Admins only: the torrents the user with this email owns (ignored for others).",
    )

    class Meta:
        model = Torrent
        fields = ["status", "q", "user", "label", "tracker", "owner"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return torrents_search(queryset, value, user=self.request.user) if value else queryset

    def filter_label(self, queryset, name, value):
        """The caller's own label: for staff too (labels are personal, see torrents_labelled)."""
        return torrents_labelled(queryset, user=self.request.user, name=value)

    def filter_user(self, queryset, name, value):
        """Admins only: the torrents a given user owns (others only ever see their own)."""
        if not self.request.user.is_staff:
            return queryset
        return queryset.filter(ownerships__user_id=value)

    def filter_status(self, queryset, name, value):
        """Any of the statuses asked for; `stalled` is downloading torrents that are stalled."""
        if not value:
            return queryset
        if STALLED in value:
            stored = [v for v in value if v != STALLED]
            return queryset.filter(Q(status__in=stored) | stalled_q())
        ordering = self.request.query_params.get("ordering", "-created_at")
        newest_first = ordering in ("-created_at", "")
        return torrents_with_status(queryset, value, newest_first=newest_first)

    def filter_tracker(self, queryset, name, value):
        owner = self.form.cleaned_data.get("owner") or ""
        return torrents_on_tracker(
            queryset, self.request.user, tracker=value.strip().lower(), owner=owner
        )

    def filter_owner(self, queryset, name, value):
        if self.form.cleaned_data.get("tracker"):
            return queryset  # the tracker filter took the owner into account
        return torrents_on_tracker(queryset, self.request.user, tracker="", owner=value.strip())


@extend_schema_field(OpenApiTypes.BINARY)
class _Upload(serializers.FileField):
    """A file part of the multipart body (the schema says binary, not a URL)."""


_Detail = inline_serializer("UploadDetail", {"detail": serializers.CharField()})
_AddRequest = inline_serializer(
    "TorrentAddRequest",
    {
        "torrents": serializers.ListField(child=_Upload(), required=False),
        "magnets": serializers.ListField(child=serializers.CharField(), required=False),
        "url": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text="URLs of .torrent files, fetched by a worker (see `fetches` in the answer)",
        ),
        "torrent": _Upload(required=False),
        "files": serializers.ListField(child=_Upload(), required=False),
        "paths": serializers.ListField(child=serializers.CharField(), required=False),
        "name": serializers.CharField(required=False),
        "trackers": serializers.ListField(child=serializers.CharField(), required=False),
        "private": serializers.BooleanField(required=False),
        "comment": serializers.CharField(required=False),
        "paused": serializers.BooleanField(
            required=False, help_text="load every torrent added into rTorrent without starting it"
        ),
        "skip_files": serializers.ListField(
            child=serializers.IntegerField(min_value=0),
            required=False,
            help_text="With exactly one `torrents` file: indexes of its files not to download "
            "(0 is the first file of the .torrent's list, in its order; repeat the field or send "
            '"0,2,5"). You are charged only for the files you keep; change it later with '
            "PATCH /api/torrents/{id}/files/{file_id}.",
        ),
        "labels": serializers.ListField(
            child=serializers.CharField(max_length=32),
            required=False,
            help_text="Your labels for every torrent added (made as needed), up to 10.",
        ),
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
        "fetches": TorrentFetchSerializer(many=True),
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
        "fetches": TorrentFetchSerializer(many=True, required=False),
    },
)


class MatchedFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    path = serializers.CharField()


class TorrentRowSerializer(serializers.Serializer):
    """A row of the list, for the schema: `fields=compact` sends only some of these."""

    def get_fields(self) -> dict:
        fields = TorrentListSerializer().get_fields()
        # A method field reads its method off its own serializer: here, say what it gives.
        fields["labels"] = serializers.ListField(child=serializers.CharField())
        fields["matched_files"] = serializers.ListField(
            child=MatchedFileSerializer(),
            help_text=f"With `q`: up to {MATCHED_FILES} files it matched.",
        )
        for field in fields.values():
            field.read_only = False  # read-only fields are "required" in a response schema
            field.required = False
        return fields


@extend_schema_serializer(many=False)  # one object, not a page of them
class TorrentListPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(required=False, help_text="Not with changed_since.")
    count_capped = serializers.BooleanField(
        required=False,
        help_text=f"With `q`: true when more than {RANKED_MAX:,} torrents matched and no "
        f"`ordering` was given: then only the newest {RANKED_MAX:,} matches were ranked and "
        f"can be paged, and `count` says {RANKED_MAX:,} (at least that many match). Narrow "
        "the search (more words, a status, a label) to reach older ones.",
    )
    next = serializers.URLField(allow_null=True, required=False)
    previous = serializers.URLField(allow_null=True, required=False)
    cursor = serializers.CharField(help_text="Send it as changed_since next time.")
    results = TorrentRowSerializer(many=True)
    deleted = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="With changed_since: ids that left your list since the cursor.",
    )


def _rows(page, fields: tuple[str, ...], *, user, q: str) -> list[dict]:
    """The page's rows; searching, each with the files the search matched in it."""
    rows = list_rows(page, fields, user=user)
    if q:
        matched = search_matched_files([row["id"] for row in rows], q)
        for row in rows:
            row["matched_files"] = matched[row["id"]]
    return rows


class UploadRefusedError(exceptions.APIException):
    """The upload guard stopped the request: 413 or 507 with its reason."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.status_code = refusal.status


class TorrentListCreateView(generics.ListAPIView):
    """GET: the caller's torrents (admins: all), a page (`page_size` up to 10,000) or what
    changed since a cursor (`changed_since`). POST: add torrents (multipart)."""

    serializer_class = TorrentListSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = TorrentPagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TorrentFilter
    ordering_fields = ["name", "size_bytes", "created_at", "status", "completed_bytes"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        # Rows are read as values (list_rows): only the columns a row shows leave the database.
        return torrents_visible_to(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "page_size",
                int,
                description=f"Rows per page, 1 to {MAX_PAGE_SIZE:,} (default 50); "
                "anything else is a 400.",
            ),
            OpenApiParameter(
                "fields",
                str,
                enum=list(FIELD_SETS),
                description="`compact`: only " + ", ".join(COMPACT_FIELDS) + " per row.",
            ),
            OpenApiParameter(
                "changed_since",
                str,
                description="The `cursor` of an earlier answer: every row changed since "
                "(or newly yours), unpaged, and the ids that left your list in `deleted`. "
                "Rows changed in the 5 s before the cursor come again (apply them twice "
                "safely). Not with status/q/user (400); a cursor older than "
                "SEEDBOX_CHANGES_KEEP_DAYS or from before a role change gets 410: read the "
                "whole list again.",
            ),
        ],
        responses={200: TorrentListPageSerializer, 400: dict, 410: dict},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    def list(self, request: Request, *args, **kwargs) -> Response:
        now = cursor_now()
        cursor = cursor_make(user=request.user, at=now)
        fields = self._field_set()
        if "changed_since" in request.query_params:
            return self._changes(request, fields=fields, cursor=cursor, now=now)
        params = request.query_params
        filtered = [name for name in TorrentFilter.base_filters if params.getlist(name)]
        if not filtered:  # django-filter's form and its validation were a tenth of a page's time
            queryset = OrderingFilter().filter_queryset(request, self.get_queryset(), self)
        else:
            queryset = self.filter_queryset(self.get_queryset())
        q = params.get("q", "").strip()
        if q and "ordering" not in params and "q" in filtered:
            return self._ranked(request, queryset, fields=fields, cursor=cursor, q=q)
        count = None
        if not filtered:
            count = lambda: torrents_count_visible_to(request.user)  # noqa: E731
        elif filtered == ["label"]:  # counted from the label's index, not every ownership
            count = lambda: labelled_count(request.user, params["label"])  # noqa: E731
        rows = paginate_rows(
            self.paginator,
            queryset,
            request,
            build=lambda page: _rows(page, fields, user=request.user, q=q),
            count=count,
        )
        body = self._page(rows, cursor=cursor)
        if q:
            body["count_capped"] = False  # sorted by `ordering`: every match, counted
        return Response(body)

    def _ranked(self, request: Request, queryset, *, fields, cursor: str, q: str) -> Response:
        """A search, the best matches first: the page's ids and the count in one query of
        the newest RANKED_MAX matches at most (torrents/search/ranked.py), then those rows."""

        def build(ids):
            page = self.get_queryset().filter(pk__in=ids)
            rows = {row["id"]: row for row in _rows(page, fields, user=request.user, q=q)}
            return [rows[pk] for pk in ids if pk in rows]

        rows, found = paginate_ranked(
            self.paginator,
            request,
            read=lambda offset, limit: ranked_page(queryset, offset=offset, limit=limit),
            build=build,
        )
        return Response({**self._page(rows, cursor=cursor), "count_capped": found.capped})

    def _page(self, rows, *, cursor: str) -> dict:
        paginator = self.paginator
        return {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "cursor": cursor,
            "results": rows,
        }

    def _field_set(self) -> tuple[str, ...]:
        name = self.request.query_params.get("fields", "full")
        if name not in FIELD_SETS:
            raise ValidationError({"fields": [f"one of {', '.join(FIELD_SETS)}, not {name!r}"]})
        return FIELD_SETS[name]

    def _changes(self, request: Request, *, fields, cursor: str, now) -> Response:
        """Every row changed since the cursor (no pages: a refresh is what changed) and the ids
        gone from the caller's list; filters do not apply (a row leaving a filter would need
        telling too): the client filters what it holds."""
        user = request.user
        filtered = [name for name in TorrentFilter.base_filters if name in request.query_params]
        if filtered:
            return Response(
                {"detail": f"changed_since reads the whole list; drop {', '.join(filtered)}"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            since = cursor_read(request.query_params["changed_since"], user=user, now=now)
        except CursorError as exc:
            code = status.HTTP_410_GONE if exc.gone else status.HTTP_400_BAD_REQUEST
            return Response({"detail": str(exc)}, status=code)
        # Unordered, so that the database walks the two indexes of what changed rather than
        # the whole list in its order; newest first here (ids grow with time).
        rows = list_rows(torrents_changed_since(user, since).order_by(), fields, user=user)
        rows.sort(key=lambda row: row["id"], reverse=True)
        return Response(
            {
                "cursor": cursor,
                "results": rows,
                "deleted": torrent_ids_gone_since(user, since),
            }
        )

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
                skip_files=skip_files_parse(data.getlist("skip_files")),
                user=request.user,
                torrents=files.getlist("torrents"),
                magnets=data.getlist("magnets"),
                urls=data.getlist("url"),
                torrent=files.get("torrent"),
                files=files.getlist("files"),
                paths=data.getlist("paths"),
                name=data.get("name", ""),
                trackers=data.getlist("trackers"),
                private=str(data.get("private", "")).lower() in _TRUE,
                comment=data.get("comment", ""),
                paused=str(data.get("paused", "")).lower() in _TRUE,
                labels=data.getlist("labels"),
            )
        except IntakeRequestError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        added = TorrentListSerializer(result.added, many=True, context={"request": request})
        body = {
            "added": added.data,
            "rejected": [
                {"name": r.name, "reason": r.reason, "field": r.field} for r in result.rejected
            ],
            "fetches": TorrentFetchSerializer(result.fetches, many=True).data,
        }
        if not result.added and not result.fetches:
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

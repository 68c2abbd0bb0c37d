"""`/api/labels`: the caller's own labels (list, create) and `/api/labels/<id>` (rename,
recolour, delete). Another user's label is a 404 for everyone, admins included: labels are
personal. Which torrents carry a label is set on the torrent (`PATCH /api/torrents/<id>`)."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser
from torrents.api.serializers import LabelSerializer
from torrents.label_selectors import label_for_user, labels_of
from torrents.models import Label
from torrents.services.labels import LabelError, label_create, label_delete, label_update

_ALLOWED = {"name", "colour"}


def _bad(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def _counted(label: Label) -> dict:
    label.count = label.ownership_labels.count()
    return LabelSerializer(label).data


def _fields(data, *, required: set[str]) -> dict | Response:
    """The body's name/colour, each a string, or the 400 that says what is wrong."""
    unknown = set(data) - _ALLOWED
    missing = required - set(data)
    if unknown or missing or not data:
        return _bad('send {"name": "...", "colour": "#rrggbb"} (colour optional); nothing else')
    if any(not isinstance(data[key], str) for key in data):
        return _bad("name and colour are strings")
    return dict(data)


class LabelListView(APIView):
    """GET: your labels with how many of your torrents carry each. POST: a new one."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: LabelSerializer(many=True)})
    def get(self, request: Request) -> Response:
        labels = labels_of(request.user).annotate(count=Count("ownership_labels"))
        return Response(LabelSerializer(labels, many=True).data)

    @extend_schema(
        request=LabelSerializer,
        responses={201: LabelSerializer, 400: detail("bad name or colour, or a name you use")},
    )
    def post(self, request: Request) -> Response:
        fields = _fields(request.data, required={"name"})
        if isinstance(fields, Response):
            return fields
        try:
            label = label_create(user=request.user, **fields)
        except LabelError as exc:
            return _bad(str(exc))
        return Response(_counted(label), status=status.HTTP_201_CREATED)


class LabelDetailView(APIView):
    """GET, PATCH (name and/or colour), DELETE (off every torrent it was on)."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: LabelSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_counted(label_for_user(request.user, pk)))

    @extend_schema(
        request=LabelSerializer(partial=True),
        responses={200: LabelSerializer, 400: detail("bad name or colour, or a name you use")},
    )
    def patch(self, request: Request, pk: int) -> Response:
        label = label_for_user(request.user, pk)
        fields = _fields(request.data, required=set())
        if isinstance(fields, Response):
            return fields
        try:
            label = label_update(label=label, **fields)
        except LabelError as exc:
            return _bad(str(exc))
        return Response(_counted(label))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        label_delete(label=label_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

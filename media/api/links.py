"""`/api/links/direct` and `/api/links/share`: the caller's direct and share links (list, make),
`/api/links/direct/<id>` (DELETE revokes) and `/api/links/share/<id>` (PATCH expiry/password,
DELETE revokes). A new link's answer has its full `url` once: the server keeps only a hash of
the key, so it cannot show it again. Another user's torrent or link is a 404 for everyone,
admins included (only an owner of a torrent links it)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from media.services.direct_links import (
    LinkError,
    direct_link_create,
    direct_link_for_user,
    direct_link_state,
    direct_link_url,
    direct_links_of,
    link_revoke,
    link_state,
)
from media.services.share_links import (
    share_link_create,
    share_link_for_user,
    share_link_update,
    share_link_url,
    share_links_of,
)
from seedbox.openapi import detail
from seedbox.parsers import JSONObjectParser


class LinkCreateSerializer(serializers.Serializer):
    torrent = serializers.IntegerField(min_value=1)
    file = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    folder = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=4096, trim_whitespace=False
    )
    expires_in_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )


class ShareCreateSerializer(LinkCreateSerializer):
    password = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=128, trim_whitespace=False
    )


class ShareUpdateSerializer(serializers.Serializer):
    expires_in_days = serializers.IntegerField(required=False, min_value=1)
    password = serializers.CharField(
        required=False, allow_blank=True, max_length=128, trim_whitespace=False
    )


class _LinkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    torrent = serializers.IntegerField(source="torrent_id")
    torrent_name = serializers.CharField(source="torrent.name")
    file = serializers.IntegerField(source="file_id", allow_null=True)
    folder = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    state = serializers.SerializerMethodField()

    def get_state(self, link) -> str:
        return link_state(link)


class DirectLinkSerializer(_LinkSerializer):
    last_used_at = serializers.DateTimeField(allow_null=True)
    use_count = serializers.IntegerField()

    def get_state(self, link) -> str:
        return direct_link_state(link)


class NewDirectLinkSerializer(DirectLinkSerializer):
    url = serializers.CharField(help_text="the link; shown in this answer only")


class ShareLinkSerializer(_LinkSerializer):
    has_password = serializers.SerializerMethodField()
    visit_count = serializers.IntegerField()
    download_count = serializers.IntegerField()

    def get_has_password(self, link) -> bool:
        return bool(link.password)


class NewShareLinkSerializer(ShareLinkSerializer):
    url = serializers.CharField(help_text="the link; shown in this answer only")


def _bad(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def _body(serializer_class, request: Request) -> dict | Response:
    allowed = set(serializer_class().fields)
    unknown = set(request.data) - allowed
    if unknown:
        return _bad(f"unknown fields: {', '.join(sorted(unknown))}; send {sorted(allowed)}")
    body = serializer_class(data=request.data)
    if not body.is_valid():
        return _bad("; ".join(f"{name}: {errors[0]}" for name, errors in body.errors.items()))
    return body.validated_data


def _with_url(serializer_class, link, url: str) -> dict:
    link.url = url
    return serializer_class(link).data


_NOT_YOURS = detail("not a torrent you own, or not a file of it")
_BAD = detail("a skipped file, a folder with no files, or an expiry out of range")


class DirectLinkListView(APIView):
    """GET: your direct links. POST: a new one (its URL is in this answer only)."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: DirectLinkSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(DirectLinkSerializer(direct_links_of(request.user), many=True).data)

    @extend_schema(
        request=LinkCreateSerializer,
        responses={201: NewDirectLinkSerializer, 400: _BAD, 404: _NOT_YOURS},
    )
    def post(self, request: Request) -> Response:
        fields = _body(LinkCreateSerializer, request)
        if isinstance(fields, Response):
            return fields
        try:
            link, key = direct_link_create(
                user=request.user,
                torrent_id=fields["torrent"],
                file_id=fields["file"],
                folder=fields["folder"],
                expires_in_days=fields["expires_in_days"],
            )
        except LinkError as exc:
            return _bad(str(exc))
        url = direct_link_url(key=key, link=link)
        return Response(_with_url(NewDirectLinkSerializer, link, url), status=201)


class DirectLinkDetailView(APIView):
    @extend_schema(responses={200: DirectLinkSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(DirectLinkSerializer(direct_link_for_user(request.user, pk)).data)

    @extend_schema(responses={204: None}, description="Revokes the link (it stays listed).")
    def delete(self, request: Request, pk: int) -> Response:
        link_revoke(link=direct_link_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShareLinkListView(APIView):
    """GET: your share links. POST: a new one (its URL is in this answer only)."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: ShareLinkSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(ShareLinkSerializer(share_links_of(request.user), many=True).data)

    @extend_schema(
        request=ShareCreateSerializer,
        responses={201: NewShareLinkSerializer, 400: _BAD, 404: _NOT_YOURS},
    )
    def post(self, request: Request) -> Response:
        fields = _body(ShareCreateSerializer, request)
        if isinstance(fields, Response):
            return fields
        try:
            link, key = share_link_create(
                user=request.user,
                torrent_id=fields["torrent"],
                file_id=fields["file"],
                folder=fields["folder"],
                expires_in_days=fields["expires_in_days"],
                password=fields["password"],
            )
        except LinkError as exc:
            return _bad(str(exc))
        url = share_link_url(key=key)
        return Response(_with_url(NewShareLinkSerializer, link, url), status=201)


class ShareLinkDetailView(APIView):
    """GET, PATCH (`expires_in_days` from now, `password`: '' removes it), DELETE (revokes)."""

    parser_classes = [JSONObjectParser]

    @extend_schema(responses={200: ShareLinkSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ShareLinkSerializer(share_link_for_user(request.user, pk)).data)

    @extend_schema(
        request=ShareUpdateSerializer,
        responses={200: ShareLinkSerializer, 400: detail("an expiry out of range")},
    )
    def patch(self, request: Request, pk: int) -> Response:
        link = share_link_for_user(request.user, pk)
        fields = _body(ShareUpdateSerializer, request)
        if isinstance(fields, Response):
            return fields
        try:
            link = share_link_update(
                link=link,
                expires_in_days=fields.get("expires_in_days"),
                password=fields.get("password"),
            )
        except LinkError as exc:
            return _bad(str(exc))
        return Response(ShareLinkSerializer(link).data)

    @extend_schema(responses={204: None}, description="Revokes the link (it stays listed).")
    def delete(self, request: Request, pk: int) -> Response:
        link_revoke(link=share_link_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

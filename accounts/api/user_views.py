"""/api/users*: admins see and manage everyone; a user sees and changes only themself (404 for
anyone else, so ids do not leak)."""

from django.contrib.auth import update_session_auth_hash
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import filters, generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.errors import service_errors
from accounts.api.serializers import (
    ApiTokenSerializer,
    DetailSerializer,
    EndedCountSerializer,
    NewApiTokenSerializer,
    UserSerializer,
    UserSessionSerializer,
    UserUpdateSerializer,
)
from accounts.models import ApiToken, User
from accounts.selectors import (
    api_token_for_user,
    api_tokens_of,
    user_for_viewer,
    user_session_for_user,
    user_sessions_of,
    users_visible_to,
)
from accounts.services.sessions import user_session_end, user_sessions_end_others
from accounts.services.tokens import api_token_create, api_token_revoke, api_tokens_revoke_all
from accounts.services.users import (
    privilege_errors,
    user_change_refusal,
    user_delete,
    user_update,
)
from seedbox.parsers import JSONObjectParser


class UserListView(generics.ListAPIView):
    """Admins: every user (`?search=` on email, `?ordering=`). A user: only themself."""

    serializer_class = UserSerializer
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["email"]
    ordering_fields = ["email", "date_joined", "last_login", "used_bytes", "quota_bytes"]
    ordering = ["email"]

    def get_queryset(self):
        return users_visible_to(self.request.user)


class UserDetailView(APIView):
    """One user, by id or `me`."""

    parser_classes = [JSONObjectParser, MultiPartParser, FormParser]

    def get_object(self, pk: int | None) -> User:
        return user_for_viewer(self.request.user, self.request.user.pk if pk is None else pk)

    def _answer(self, user: User) -> Response:
        user = self.get_object(user.pk)  # fresh, with its annotations
        return Response(UserSerializer(user, context={"request": self.request}).data)

    @extend_schema(responses={200: UserSerializer})
    def get(self, request, pk: int | None = None):
        return self._answer(self.get_object(pk))

    @extend_schema(request=UserUpdateSerializer, responses={200: UserSerializer})
    def patch(self, request, pk: int | None = None):
        """Self: email (re-confirmed by mail), password (with current_password), avatar.
        Admins also: is_staff, quota_bytes, trusted, is_active. Anything beyond the caller's
        rights is refused with 400 and nothing changes."""
        user = self.get_object(pk)
        errors = privilege_errors(fields=set(request.data), by=request.user)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        data = UserUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        with service_errors():
            user_update(
                request=request._request,
                user=user,
                by=request.user,
                data=data.validated_data,
                token=token,
            )
        if "password" in data.validated_data and token is None:
            update_session_auth_hash(request._request, user)  # keep this browser logged in
        return self._answer(user)

    @extend_schema(responses={204: None, 403: DetailSerializer})
    def delete(self, request, pk: int | None = None):
        user = self.get_object(pk)
        if refusal := user_change_refusal(user=user, by=request.user):
            return Response({"detail": refusal}, status=status.HTTP_403_FORBIDDEN)
        user_delete(user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserAvatarView(APIView):
    """The avatar image, with the same visibility as the user record."""

    @extend_schema(responses={(200, "image/*"): bytes, 404: DetailSerializer})
    def get(self, request, pk: int | None = None):
        user = user_for_viewer(request.user, request.user.pk if pk is None else pk)
        if not user.avatar:
            raise Http404("No avatar.")
        content_type = "image/png" if user.avatar.name.endswith(".png") else "image/jpeg"
        response = FileResponse(user.avatar.open("rb"), content_type=content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class TokenListView(generics.ListCreateAPIView):
    """Your API tokens. POST makes one (give it a `name`); its key is shown only in that answer."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return api_tokens_of(self.request.user)

    @extend_schema(request=ApiTokenSerializer, responses={201: NewApiTokenSerializer})
    def post(self, request):
        data = ApiTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = api_token_create(user=request.user, name=data.validated_data.get("name", ""))
        token.key = key
        return Response(NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="users_me_tokens_revoke_others", responses={200: EndedCountSerializer}
    )
    def delete(self, request):
        """Revoke every token of yours but the one this request uses (all, from a browser)."""
        keep = request.auth if isinstance(request.auth, ApiToken) else None
        return Response({"ended": api_tokens_revoke_all(user=request.user, keep=keep)})


class TokenDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        """Revoke one of your tokens (404 for anyone else's)."""
        api_token_revoke(token=api_token_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionListView(APIView):
    """Your browser sessions (allauth.usersessions): address, browser, start and last request."""

    @extend_schema(responses={200: UserSessionSerializer(many=True)})
    def get(self, request):
        sessions = user_sessions_of(request.user)
        return Response(
            UserSessionSerializer(sessions, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="users_me_sessions_end_others", responses={200: EndedCountSerializer}
    )
    def delete(self, request):
        """End every browser session of yours but the one this request comes from."""
        keep = request.session.session_key if request.auth is None else None
        ended = user_sessions_end_others(user=request.user, keep_key=keep)
        return Response({"ended": ended})


class SessionDetailView(APIView):
    @extend_schema(responses={204: None, 404: DetailSerializer})
    def delete(self, request, pk: int):
        """End one of your browser sessions: that browser is logged out (404 for anyone else's)."""
        user_session_end(session=user_session_for_user(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

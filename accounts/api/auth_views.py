"""/api/authenticate/*: sign-up, confirmation, login, password reset, logout (JSON).

These endpoints take no session or token (`authentication_classes = []`), except logout.
"""

from django.contrib.auth import logout
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.errors import service_errors
from accounts.api.serializers import (
    CredentialsSerializer,
    DetailSerializer,
    EmailSerializer,
    LoginCredentialsSerializer,
    LoginSerializer,
    MfaRequiredSerializer,
    PasswordResetSerializer,
    SecondFactorSerializer,
    SubscribedSerializer,
    TokenQuerySerializer,
    UserSerializer,
)
from accounts.models import ApiToken
from accounts.services.errors import MfaRequired
from accounts.services.mfa import API_METHODS
from accounts.services.passwords import (
    password_reset_complete,
    password_reset_request,
    password_reset_user,
)
from accounts.services.signup import (
    user_confirm_email,
    user_login,
    user_login_second_factor,
    user_subscribe,
)
from accounts.services.tokens import api_token_revoke
from accounts.services.users import privilege_errors

TOKEN_PARAM = OpenApiParameter("token", str, required=True)


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class SubscribeView(PublicView):
    @extend_schema(
        request=CredentialsSerializer, responses={201: SubscribedSerializer, 429: DetailSerializer}
    )
    def post(self, request):
        """Create an account and mail its confirmation link. An address already in use gets the
        same answer (its owner is told by mail), so the API does not reveal who has an account."""
        errors = privilege_errors(fields=set(request.data) - {"email", "password"}, by=request.user)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            user_subscribe(request=request._request, **data.validated_data)
        email = data.validated_data["email"].strip().lower()
        return Response(
            {
                "user": {"email": email, "email_confirmed": False},
                "detail": f"We sent a confirmation link to {email}.",
            },
            status=status.HTTP_201_CREATED,
        )


class ConfirmView(PublicView):
    @extend_schema(parameters=[TOKEN_PARAM], responses={200: DetailSerializer})
    def get(self, request):
        """Confirm an address with the key of the mailed link (`/accounts/confirm-email/<key>/`)."""
        query = TokenQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        with service_errors():
            address = user_confirm_email(
                request=request._request, key=query.validated_data["token"]
            )
        return Response({"detail": f"{address.email} is confirmed; you can log in."})


def _logged_in(request, user, key: str) -> Response:
    return Response({"token": key, "user": UserSerializer(user, context={"request": request}).data})


class LoginView(PublicView):
    @extend_schema(
        request=LoginCredentialsSerializer,
        responses={
            200: LoginSerializer,
            400: OpenApiTypes.OBJECT,
            401: MfaRequiredSerializer,
            403: DetailSerializer,
            429: DetailSerializer,
        },
    )
    def post(self, request):
        """A new API token. 400 wrong credentials or code, 401 the account has two-factor login
        and no `code` came (the answer's `ticket` goes to /api/authenticate/2fa), 403 address not
        confirmed or staff without two-factor login where the site requires it, 429 too many
        failures (10 a minute per client address, 5 in 5 minutes per account)."""
        data = LoginCredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            with service_errors():
                user, key = user_login(request=request._request, **data.validated_data)
        except MfaRequired as exc:
            return Response(
                {
                    "detail": "This account has two-factor login: send a code with the ticket.",
                    "mfa_required": True,
                    "ticket": exc.ticket,
                    "methods": list(API_METHODS),
                },
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": "Token"},
            )
        return _logged_in(request, user, key)


class SecondFactorView(PublicView):
    @extend_schema(
        request=SecondFactorSerializer,
        responses={
            200: LoginSerializer,
            400: OpenApiTypes.OBJECT,
            429: DetailSerializer,
        },
    )
    def post(self, request):
        """The second step of a two-factor login: the `ticket` of the 401 answer (it lives
        SEEDBOX_MFA_TICKET_SECONDS, 5 minutes by default, and works once) and a `code` from the
        authenticator app or a recovery code (each recovery code works once). Wrong codes share
        the login's limit: 429."""
        data = SecondFactorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            user, key = user_login_second_factor(request=request._request, **data.validated_data)
        return _logged_in(request, user, key)


class ForgotView(PublicView):
    @extend_schema(
        request=EmailSerializer, responses={200: DetailSerializer, 429: DetailSerializer}
    )
    def post(self, request):
        """Mail a password reset link. The answer is the same whether or not the address has an
        account."""
        data = EmailSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            password_reset_request(request=request._request, email=data.validated_data["email"])
        return Response(
            {"detail": "If an account uses this address, a reset link is on its way to it."}
        )


class PasswordView(PublicView):
    @extend_schema(parameters=[TOKEN_PARAM], responses={200: DetailSerializer})
    def get(self, request):
        """Whether a reset token (`<uid>-<key>` from the mailed link) is still valid."""
        query = TokenQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        with service_errors():
            password_reset_user(token=query.validated_data["token"])
        return Response({"detail": "This reset token is valid."})

    @extend_schema(
        request=PasswordResetSerializer, responses={200: DetailSerializer, 429: DetailSerializer}
    )
    def patch(self, request):
        """Set a new password with a reset token; the token then stops working, and so do the
        account's API tokens."""
        data = PasswordResetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            password_reset_complete(request=request._request, **data.validated_data)
        return Response({"detail": "Your password is changed; log in with it."})


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={200: DetailSerializer})
    def post(self, request):
        """Revoke the API token this request used, or end the browser session."""
        if isinstance(request.auth, ApiToken):
            api_token_revoke(token=request.auth)
        elif request.user.is_authenticated:
            logout(request._request)
        return Response({"detail": "Logged out."})

    @extend_schema(request=None, responses={200: DetailSerializer, 400: DetailSerializer})
    def get(self, request):
        """Revoke the API token this request used (as the original API did). A browser session
        ends only by POST, which checks the CSRF token: a link must not log anyone out."""
        if request.auth is None and request.user.is_authenticated:
            return Response(
                {"detail": "End a browser session with POST."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self.post(request)

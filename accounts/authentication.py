"""DRF authentication by API token: `Authorization: Token <key>` (or `Bearer <key>`)."""

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.selectors import user_must_set_up_mfa
from accounts.services.errors import MfaSetupRequired
from accounts.services.tokens import api_token_authenticate

KEYWORDS = (b"token", b"bearer")


def client_ip(request) -> str | None:
    """The client's address the way allauth's rate limits see it (ALLAUTH_TRUSTED_PROXY_COUNT
    decides how much of X-Forwarded-For to believe)."""
    try:
        return get_adapter(request).get_client_ip(request._request)
    except PermissionDenied:  # allauth found no address
        return None


class ApiTokenAuthentication(BaseAuthentication):
    """Sets request.auth to the ApiToken used, so logout can revoke exactly that one."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Token <key>`.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = api_token_authenticate(key=key, ip=client_ip(request))
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        if user_must_set_up_mfa(token.user):
            raise exceptions.PermissionDenied(MfaSetupRequired.message)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"

"""Staff without a second factor, while SEEDBOX_REQUIRE_2FA_FOR_STAFF is on, may only manage
their own account (under /accounts/: set up two-factor login, confirm an address, log out) until
they set one up: pages redirect there, the API answers 403 saying so."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from accounts.selectors import user_must_set_up_mfa
from accounts.services.errors import MfaSetupRequired

# The web app manifest and service worker are public and every page asks for them.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/manifest.webmanifest", "/sw.js")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ALLOWED_PREFIXES) or not user_must_set_up_mfa(request.user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": MfaSetupRequired.message}, status=403)
        messages.warning(request, "Set up two-factor login to use the staff account.")
        return redirect("mfa_index")

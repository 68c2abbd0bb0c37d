"""The unsubscribe link of a mail: GET asks (mail scanners open links), POST turns that kind's
mails off. No login: the signed token is the proof. CSRF-exempt because mail clients POST it
themselves (RFC 8058 one-click, `List-Unsubscribe=One-Click`, no cookies); the token, not a
session, is what a forged POST would need, and it can only turn mails off."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from events.kinds import EventKind
from notifications.services.unsubscribe import UnsubscribeError, unsubscribe, unsubscribe_check

TEMPLATE = "notifications/unsubscribe.html"


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            user, kind = unsubscribe(token=token)
            done = True
        else:
            user, kind = unsubscribe_check(token=token)
            done = False
    except UnsubscribeError as exc:
        return render(request, TEMPLATE, {"error": str(exc)}, status=400)
    context = {"done": done, "email": user.email, "kind": EventKind(kind).label, "token": token}
    return render(request, TEMPLATE, context)

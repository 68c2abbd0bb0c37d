"""The account page's table of kinds and channels (notifications/templatetags): one form, every
box it shows saved at once (a box not ticked is a "no")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from notifications.selectors import preferences_of
from notifications.services.preferences import preferences_set


def box_name(kind: str, channel: str) -> str:
    return f"{kind}:{channel}"


@login_required
@require_POST
def preferences_update(request: HttpRequest) -> HttpResponse:
    ticked = set(request.POST.getlist("wanted"))
    preferences_set(
        user=request.user,
        choices={
            (c.kind, c.channel): box_name(c.kind, c.channel) in ticked
            for c in preferences_of(request.user)
        },
    )
    messages.success(request, "Notification choices saved.")
    return redirect(reverse("account") + "#notifications")

"""The notifications page (newest first, paginated; mark one or all read) and the bell's live
fragment, which every page polls (templates/notifications/_bell.html)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from notifications.selectors import (
    deliveries_visible_to,
    notification_for_user,
    notifications_visible_to,
    unread_count,
)
from notifications.services.reading import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 25
# How often a page asks for the bell's number (one indexed COUNT each time).
BELL_POLL_SECONDS = 5


def bell_context(user) -> dict:
    count = unread_count(user)
    return {"count": count, "shown": "99+" if count > 99 else count, "seconds": BELL_POLL_SECONDS}


@never_cache
@require_safe
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone. A session that ended gets 204 (htmx leaves the bell as it is) rather than
    the login page swapped into the header."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notifications/_bell.html", bell_context(request.user))


@login_required
@require_safe
def notifications_page(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_visible_to(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": unread_count(request.user)},
    )


@login_required
@require_safe
def deliveries_page(request: HttpRequest) -> HttpResponse:
    """What was sent to the user's mail address, devices and webhooks, and how it went."""
    page = Paginator(deliveries_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/deliveries.html", {"page": page})


def _back(request: HttpRequest) -> HttpResponse:
    """To the page the form was on (a page of the list), never off the site."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = ""
    return redirect(target or "notifications")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification_mark_read(notification=notification_for_user(request.user, pk))
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    return _back(request)

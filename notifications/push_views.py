"""The installable site (web app manifest, service worker at the root) and the account page's
push buttons (remove a device, send it a test push). Subscribing is the API's POST, made by
static/js/push.js after the browser said yes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from notifications.push_selectors import push_subscription_for_user
from notifications.services.push_subscriptions import push_subscription_delete, push_test_send

THEME_COLOUR = "#1f6feb"  # static/css/site.css --accent, the favicon's blue
BACKGROUND = "#f7f7f5"  # site.css --bg


@require_safe
@cache_control(max_age=3600, public=True)
def web_manifest(request: HttpRequest) -> JsonResponse:
    """What a phone needs to put the site on its home screen and open it like an app."""
    icons = [
        {"src": static(f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    manifest = {
        "id": "/",
        "name": "Seedbox",
        "short_name": "Seedbox",
        "description": "Your torrents on the seedbox, and a push when a download is done.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND,
        "icons": icons,
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: served here rather than from /static/ so that its scope is the whole site."""
    response = HttpResponse(
        render_to_string("notifications/sw.js"), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker at most daily anyway; never serve a stale one.
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_POST
def push_device_remove(request: HttpRequest, pk: int) -> HttpResponse:
    push_subscription_delete(subscription=push_subscription_for_user(request.user, pk))
    messages.success(request, "That device no longer gets pushes.")
    return redirect("account")


@login_required
@require_POST
def push_device_test(request: HttpRequest, pk: int) -> HttpResponse:
    push_test_send(subscription=push_subscription_for_user(request.user, pk))
    messages.success(request, "A test push is on its way to that device.")
    return redirect("account")

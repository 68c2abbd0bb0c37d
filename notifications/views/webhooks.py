"""The webhooks page (/notifications/webhooks/): your webhooks with their delivery logs, adding
one (its secret shown once, in that answer), removing, enabling again, a new secret, and a test
event. Another user's webhook is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notifications.forms import WebhookForm
from notifications.services.webhooks import (
    WebhookError,
    webhook_create,
    webhook_delete,
    webhook_enable,
    webhook_secret_renew,
    webhook_test_send,
    webhook_update,
)
from notifications.webhook_selectors import webhook_deliveries, webhook_for_user, webhooks_of

LOG_ON_PAGE = 10


def _page(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    hooks = [
        (hook, list(webhook_deliveries(hook)[:LOG_ON_PAGE])) for hook in webhooks_of(request.user)
    ]
    context.setdefault("form", WebhookForm())
    return render(
        request,
        "notifications/webhooks.html",
        {"hooks": hooks, "log_size": LOG_ON_PAGE, **context},
        status=status,
    )


@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook, secret = webhook_create(user=request.user, url=form.cleaned_data["url"])
        except WebhookError as exc:
            form.add_error("url", str(exc))
        else:
            return _page(request, status=201, new_webhook=webhook, new_secret=secret)
    return _page(request, status=400, form=form)


@login_required
@require_POST
def webhook_remove(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = webhook_for_user(request.user, pk)
    webhook_delete(webhook=webhook)
    messages.success(request, f"Webhook {webhook.url} removed.")
    return redirect("webhooks")


@login_required
@require_POST
def webhook_turn_on(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = webhook_enable(webhook=webhook_for_user(request.user, pk))
    messages.success(request, f"Webhook {webhook.url} is enabled again.")
    return redirect("webhooks")


@login_required
@require_POST
def webhook_turn_off(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = webhook_update(webhook=webhook_for_user(request.user, pk), enabled=False)
    messages.success(request, f"Webhook {webhook.url} is disabled.")
    return redirect("webhooks")


@login_required
@require_POST
def webhook_new_secret(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = webhook_for_user(request.user, pk)
    secret = webhook_secret_renew(webhook=webhook)
    return _page(request, new_webhook=webhook, new_secret=secret)


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = webhook_for_user(request.user, pk)
    try:
        webhook_test_send(webhook=webhook)
    except WebhookError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"A test event is on its way to {webhook.url}.")
    return redirect("webhooks")

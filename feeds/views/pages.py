"""The feeds pages (/feeds/): your feeds and adding one; a feed's page with its last result,
settings, rules (each editable, and a new one previewed before it is saved) and its history.
Another user's feed is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from feeds.display import url_shown
from feeds.forms import FeedAddForm, FeedSettingsForm, RuleForm
from feeds.selectors import HISTORY_ON_PAGE, feed_for_user, feed_history, feeds_of
from feeds.services.feeds import (
    FeedError,
    feed_create,
    feed_delete,
    feed_poll_soon,
    feed_rule_set,
    feed_update,
    rule_data,
)
from feeds.services.preview import feed_preview


@login_required
def feeds_page(request: HttpRequest) -> HttpResponse:
    form = FeedAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feed = feed_create(
                user=request.user,
                url=form.cleaned_data["url"],
                interval=form.cleaned_data["interval"],
                cookie=form.cleaned_data["cookie"],
            )
        except FeedError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Feed added: give it a rule, and it is polled soon.")
            return redirect("feed", pk=feed.pk)
    status = 400 if request.method == "POST" else 200
    feeds = [(feed, url_shown(feed.url)) for feed in feeds_of(request.user)]
    return render(request, "feeds/list.html", {"feeds": feeds, "form": form}, status=status)


def _feed_page(request: HttpRequest, feed, *, status: int = 200, **context) -> HttpResponse:
    rules = [
        (i, rule, RuleForm(initial=rule_data(rule), prefix=f"rule{i}"))
        for i, rule in enumerate(feed.rules.all())
    ]
    context.setdefault("new_rule", RuleForm(prefix="new"))
    context.setdefault(
        "settings_form",
        FeedSettingsForm(initial={"interval": feed.interval, "enabled": feed.enabled}),
    )
    return render(
        request,
        "feeds/detail.html",
        {
            "feed": feed,
            "url": url_shown(feed.url),
            "rules": rules,
            "history": list(feed_history(feed)[:HISTORY_ON_PAGE]),
            "history_size": HISTORY_ON_PAGE,
            **context,
        },
        status=status,
    )


@login_required
def feed_page(request: HttpRequest, pk: int) -> HttpResponse:
    feed = feed_for_user(request.user, pk)
    if request.method != "POST":
        return _feed_page(request, feed)
    form = FeedSettingsForm(request.POST)
    if form.is_valid():
        fields = {
            "interval": form.cleaned_data["interval"],
            "enabled": form.cleaned_data["enabled"],
        }
        if form.cleaned_data["clear_cookie"]:
            fields["cookie"] = ""
        elif form.cleaned_data["cookie"]:
            fields["cookie"] = form.cleaned_data["cookie"]
        try:
            feed_update(feed=feed, **fields)
        except FeedError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Feed settings saved.")
            return redirect("feed", pk=pk)
    return _feed_page(request, feed_for_user(request.user, pk), status=400, settings_form=form)


@login_required
@require_POST
def feed_rule(request: HttpRequest, pk: int, index: int | None = None) -> HttpResponse:
    """Add a rule (no index), change one, or remove it (`remove` in the form)."""
    feed = feed_for_user(request.user, pk)
    prefix = "new" if index is None else f"rule{index}"
    form = RuleForm(request.POST, prefix=prefix)
    if "remove" in request.POST and index is not None:
        data = None
    elif form.is_valid():
        data = form.rule()
    else:
        return _feed_page(
            request, feed, status=400, **({"new_rule": form} if index is None else {})
        )
    try:
        feed_rule_set(feed=feed, index=index, data=data)
    except FeedError as exc:
        form.add_error(None, str(exc))
        return _feed_page(request, feed_for_user(request.user, pk), status=400, new_rule=form)
    messages.success(request, "Rule removed." if data is None else "Rule saved.")
    return redirect(reverse("feed", kwargs={"pk": pk}) + "#rules")


@login_required
@require_POST
def feed_rule_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The new rule's form, previewed: the feed's items with its verdict on each (htmx swaps
    the result in; without script the whole page comes back with it)."""
    feed = feed_for_user(request.user, pk)
    form = RuleForm(request.POST, prefix="new")
    context: dict = {}
    if form.is_valid():
        try:
            context["preview"] = feed_preview(feed=feed, rule=form.rule())
        except FeedError as exc:
            context["preview_error"] = str(exc)
    else:
        context["preview_error"] = "; ".join(e for errors in form.errors.values() for e in errors)
    if request.headers.get("HX-Request"):
        return render(request, "feeds/_preview.html", {"feed": feed, **context})
    return _feed_page(request, feed, new_rule=form, **context)


@login_required
@require_POST
def feed_check(request: HttpRequest, pk: int) -> HttpResponse:
    feed = feed_for_user(request.user, pk)
    feed_poll_soon(feed=feed)
    messages.success(request, "The feed is checked in a moment: reload to see what it found.")
    return redirect("feed", pk=pk)


@login_required
@require_POST
def feed_remove(request: HttpRequest, pk: int) -> HttpResponse:
    feed_delete(feed=feed_for_user(request.user, pk))
    messages.success(request, "Feed removed (the torrents it added stay).")
    return redirect("feeds")

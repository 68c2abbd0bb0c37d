"""The feeds pages (/feeds/): your feeds and adding one; a feed's page with its last result,
settings, rules (each editable, and previewed before it is saved, new or changed) and its
history.
Another user's feed is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
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


def _feed_page(
    request: HttpRequest,
    feed,
    *,
    status: int = 200,
    form_at: tuple[int | None, RuleForm] | None = None,
    preview: list | None = None,
    preview_error: str = "",
    **context,
) -> HttpResponse:
    """The feed's page. `form_at` (index, or None for the new rule; the form as posted) puts back
    a rule form that was previewed or refused, with the preview (or its error) under it."""
    at, posted = form_at or (-1, None)
    shown = {"preview": preview, "preview_error": preview_error}
    blank = {"preview": None, "preview_error": ""}
    rules = [
        (
            i,
            rule,
            posted if at == i else RuleForm(initial=rule_data(rule), prefix=f"rule{i}"),
            shown if at == i else blank,
        )
        for i, rule in enumerate(feed.rules.all())
    ]
    context["new_rule"] = posted if at is None else RuleForm(prefix="new")
    context["new_preview"] = shown if at is None else blank
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


def _rule_form(request: HttpRequest, feed, index: int | None) -> RuleForm:
    """The posted form of the new rule (no index) or of the feed's rule `index` (404 if none)."""
    if index is not None and not 0 <= index < feed.rules.count():
        raise Http404("no such rule")
    return RuleForm(request.POST, prefix="new" if index is None else f"rule{index}")


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
    form = _rule_form(request, feed, index)
    if "remove" in request.POST and index is not None:
        data = None
    elif form.is_valid():
        data = form.rule()
    else:
        return _feed_page(request, feed, status=400, form_at=(index, form))
    try:
        feed_rule_set(feed=feed, index=index, data=data)
    except FeedError as exc:
        form.add_error(None, str(exc))
        feed = feed_for_user(request.user, pk)
        return _feed_page(request, feed, status=400, form_at=(index, form))
    messages.success(request, "Rule removed." if data is None else "Rule saved.")
    return redirect(reverse("feed", kwargs={"pk": pk}) + "#rules")


@login_required
@require_POST
def feed_rule_preview(request: HttpRequest, pk: int, index: int | None = None) -> HttpResponse:
    """A rule's form, previewed before it is saved (the new rule's, or a saved rule's as edited):
    the feed's items with its verdict on each (htmx swaps the result in under that form; without
    script the whole page comes back with it, the form as posted)."""
    feed = feed_for_user(request.user, pk)
    form = _rule_form(request, feed, index)
    context: dict = {}
    if form.is_valid():
        try:
            context["preview"] = feed_preview(feed=feed, rule=form.rule())
        except FeedError as exc:
            context["preview_error"] = str(exc)
    else:
        context["preview_error"] = "; ".join(e for errors in form.errors.values() for e in errors)
    if request.headers.get("HX-Request"):
        return render(
            request, "feeds/_preview.html", {"feed": feed, "rule_index": index, **context}
        )
    return _feed_page(request, feed, form_at=(index, form), **context)


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

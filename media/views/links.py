"""The links page (`/links/`): your direct and share links with their state and counts, and
revoke buttons; and the forms that make a link (from this page's answer or the torrent page's
"Share and links" panel, htmx or not). A new link's URL is shown in that one answer: only a
hash of its key is kept. Another user's torrent or link is a 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from media.services.direct_links import (
    LinkError,
    direct_link_create,
    direct_link_for_user,
    direct_link_state,
    direct_link_url,
    direct_links_of,
    link_revoke,
    link_state,
)
from media.services.share_links import (
    share_link_create,
    share_link_for_user,
    share_link_url,
    share_links_of,
)


class LinkForm(forms.Form):
    torrent = forms.IntegerField(min_value=1)
    file = forms.IntegerField(min_value=1, required=False)
    folder = forms.CharField(required=False, max_length=4096, strip=False)
    expires_in_days = forms.IntegerField(min_value=1, required=False)


class ShareForm(LinkForm):
    password = forms.CharField(required=False, max_length=128, strip=False)


def _states(links, state) -> list[tuple]:
    return [(link, state(link)) for link in links]


def _page(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    return render(
        request,
        "media/links.html",
        {
            "direct_links": _states(direct_links_of(request.user), direct_link_state),
            "share_links": _states(share_links_of(request.user), link_state),
            **context,
        },
        status=status,
    )


@login_required
@require_safe
def links_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _made(request: HttpRequest, *, kind: str, url: str = "", error: str = "") -> HttpResponse:
    """The answer to a form: a fragment for htmx (the panel shows it in place), else the page."""
    status = 400 if error else 201
    context = {"kind": kind, "new_url": url, "error": error}
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers by default: the error is shown with a 200. `compact`:
        # the form was in a file's row of the torrent page.
        context["compact"] = request.POST.get("compact") == "1"
        return render(request, "media/_link_made.html", context)
    return _page(request, status=status, **context)


def _fields(request: HttpRequest, form: forms.Form) -> dict:
    data = form.cleaned_data
    return {
        "user": request.user,
        "torrent_id": data["torrent"],
        "file_id": data.get("file"),
        "folder": data.get("folder") or "",
        "expires_in_days": data.get("expires_in_days"),
    }


def _form_error(form: forms.Form) -> str:
    return "; ".join(f"{name}: {errors[0]}" for name, errors in form.errors.items())


@login_required
@require_POST
def direct_link_new(request: HttpRequest) -> HttpResponse:
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _made(request, kind="direct", error=_form_error(form))
    try:
        link, key = direct_link_create(**_fields(request, form))
    except LinkError as exc:
        return _made(request, kind="direct", error=str(exc))
    return _made(request, kind="direct", url=direct_link_url(key=key, link=link))


@login_required
@require_POST
def share_link_new(request: HttpRequest) -> HttpResponse:
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _made(request, kind="share", error=_form_error(form))
    try:
        _, key = share_link_create(
            **_fields(request, form),
            password=form.cleaned_data.get("password") or "",
        )
    except LinkError as exc:
        return _made(request, kind="share", error=str(exc))
    return _made(request, kind="share", url=share_link_url(key=key))


@login_required
@require_POST
def direct_link_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    link_revoke(link=direct_link_for_user(request.user, pk))
    messages.success(request, "Direct link revoked.")
    return redirect("links")


@login_required
@require_POST
def share_link_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    link_revoke(link=share_link_for_user(request.user, pk))
    messages.success(request, "Share link revoked.")
    return redirect("links")

"""HTML pages of the accounts app beyond allauth's own: the account page (quota, ratio, traffic
chart, avatar, two-factor state, browser sessions, API tokens) and the login page answering 429
when allauth's limit is reached."""

from functools import wraps

from allauth.account import views as allauth_views
from allauth.account.views import LoginView as AllauthLoginView
from allauth.core.ratelimit import respond_429
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import AvatarForm, SeedingDefaultsForm, TokenForm, WeeklySummaryForm
from accounts.selectors import (
    api_token_for_user,
    api_tokens_of,
    user_email_pending,
    user_has_mfa,
    user_session_for_user,
    user_sessions_of,
)
from accounts.services.email_undo import email_change_undo, email_change_undo_check
from accounts.services.errors import RateLimited
from accounts.services.mail_limits import mail_to_address_consume
from accounts.services.sessions import user_session_end, user_sessions_end_others
from accounts.services.tokens import api_token_create, api_token_revoke, api_tokens_revoke_all
from accounts.services.users import user_set_avatar, user_weekly_summary_set
from accounts.traffic_chart import traffic_chart
from torrents.services.seeding import RuleError, seeding_floor, user_seeding_defaults_set
from torrents.stats import user_stats

# The account page's chart covers this many days; the API's /users/:id/stats takes `days`.
CHART_DAYS = 30
RECENT_HISTORY = 10


class LoginView(AllauthLoginView):
    """allauth's login; when its rate limit refuses a try, the answer is 429, as in the API."""

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, code="too_many_login_attempts"):
            response.status_code = 429
        return response


def mail_limited(view, *, actions: tuple[str, ...] = ()):
    """allauth's page `view`, whose POSTs mail the posted `email` (only with one of `actions` as
    the submit button, when given), counted in the mail limits: over them, 429 before the form
    runs, as the API answers."""

    @wraps(view)
    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        email = request.POST.get("email", "") if request.method == "POST" else ""
        if email and (not actions or any(action in request.POST for action in actions)):
            try:
                mail_to_address_consume(request=request, email=email, by=request.user)
            except RateLimited:
                return respond_429(request)
        return view(request, *args, **kwargs)

    return limited


signup = mail_limited(allauth_views.signup)
password_reset = mail_limited(allauth_views.password_reset)
email = mail_limited(allauth_views.email, actions=("action_add", "action_send"))


def _account_page(request: HttpRequest, *, status: int = 200, **context) -> HttpResponse:
    user = request.user
    context.setdefault("token_form", TokenForm())
    context.setdefault("avatar_form", AvatarForm())
    context.setdefault(
        "seeding_form",
        SeedingDefaultsForm(initial={"seed_ratio": user.seed_ratio, "seed_hours": user.seed_hours}),
    )
    context.setdefault(
        "summary_form", WeeklySummaryForm(initial={"weekly_summary": user.weekly_summary})
    )
    used_percent = (
        min(100, round(100 * user.used_bytes / user.quota_bytes)) if user.quota_bytes else 100
    )
    stats = user_stats(user=user, days=CHART_DAYS)
    return render(
        request,
        "accounts/account.html",
        {
            "email_pending": user_email_pending(user),
            "used_percent": used_percent,
            "tokens": api_tokens_of(user),
            "mfa_enabled": user_has_mfa(user),
            "sessions": user_sessions_of(user),
            "stats": stats,
            "recent_history": stats["history"][:RECENT_HISTORY],
            "chart": traffic_chart(series=stats["series"], days=CHART_DAYS),
            "chart_days": CHART_DAYS,
            "seeding_floor": seeding_floor(),
            **context,
        },
        status=status,
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Make a token and show its key once, in this answer only (never in a cookie or the log)."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, status=400, token_form=form)
    token, key = api_token_create(user=request.user, name=form.cleaned_data["name"])
    return _account_page(request, new_token=token, new_key=key)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = api_token_for_user(request.user, pk)
    api_token_revoke(token=token)
    messages.success(request, f"Token {token.prefix}… is revoked.")
    return redirect("account")


@login_required
@require_POST
def tokens_revoke_all(request: HttpRequest) -> HttpResponse:
    revoked = api_tokens_revoke_all(user=request.user)
    messages.success(request, f"{revoked} token{'' if revoked == 1 else 's'} revoked.")
    return redirect("account")


@login_required
@require_POST
def seeding_update(request: HttpRequest) -> HttpResponse:
    """The user's default seeding rule (the same service as PATCH /api/users/me)."""
    form = SeedingDefaultsForm(request.POST)
    if not form.is_valid():
        return _account_page(request, status=400, seeding_form=form)
    try:
        user_seeding_defaults_set(
            user=request.user,
            ratio=form.cleaned_data["seed_ratio"],
            hours=form.cleaned_data["seed_hours"],
        )
    except RuleError as exc:
        form.add_error(None, str(exc))
        return _account_page(request, status=400, seeding_form=form)
    messages.success(request, "Seeding rule saved.")
    return redirect("account")


@login_required
@require_POST
def weekly_summary_update(request: HttpRequest) -> HttpResponse:
    """The weekly summary opt-in (the same field as PATCH /api/users/me `weekly_summary`)."""
    form = WeeklySummaryForm(request.POST)
    form.is_valid()  # a lone checkbox: absent is off
    enabled = bool(form.cleaned_data.get("weekly_summary"))
    user_weekly_summary_set(user=request.user, enabled=enabled)
    messages.success(
        request, "The weekly summary is on." if enabled else "The weekly summary is off."
    )
    return redirect("account")


@login_required
@require_POST
def avatar_update(request: HttpRequest) -> HttpResponse:
    form = AvatarForm(request.POST, request.FILES)
    if not form.is_valid():
        return _account_page(request, status=400, avatar_form=form)
    upload = None if form.cleaned_data["remove"] else form.cleaned_data["avatar"]
    try:
        user_set_avatar(user=request.user, upload=upload)
    except ValidationError as exc:
        form.add_error("avatar", exc.message_dict.get("avatar", exc.messages))
        return _account_page(request, status=400, avatar_form=form)
    messages.success(request, "Avatar removed." if upload is None else "Avatar updated.")
    return redirect("account")


def email_undo(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed to the old address after an email change. GET only asks (mail scanners
    open links); POST puts the old address back and logs everyone out."""
    template = "accounts/email_undo.html"
    try:
        if request.method == "POST":
            user = email_change_undo(request=request, token=token)
            return render(request, template, {"done": True, "email": user.email})
        return render(request, template, {"email": email_change_undo_check(token=token)})
    except ValidationError as exc:
        return render(request, template, {"error": exc.messages[0]}, status=400)


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End one browser session of yours (404 for anyone else's); ending this one logs you out."""
    session = user_session_for_user(request.user, pk)
    current = session.session_key == request.session.session_key
    user_session_end(session=session)
    if current:
        return redirect("account_login")
    messages.success(request, f"The session from {session.ip} is ended.")
    return redirect("account")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = user_sessions_end_others(user=request.user, keep_key=request.session.session_key)
    messages.success(request, f"{ended} other session{'' if ended == 1 else 's'} ended.")
    return redirect("account")

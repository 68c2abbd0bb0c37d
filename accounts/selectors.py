"""Reads: the one place that decides which users and tokens a user may see (404 for the rest)."""

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from accounts.models import ApiToken, User


def users_visible_to(viewer) -> QuerySet[User]:
    """Admins see every user; a user sees themself; anonymous sees no one."""
    if not viewer.is_authenticated:
        return User.objects.none()
    users = User.objects.annotate(
        email_confirmed=Exists(
            EmailAddress.objects.filter(
                user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
            )
        ),
        # The same rule as user_email_pending, in the list's one query (no query per user).
        email_pending=Subquery(
            EmailAddress.objects.filter(user=OuterRef("pk"), verified=False)
            .exclude(email__iexact=OuterRef("email"))
            .order_by("-id")
            .values("email")[:1]
        ),
    )
    return users if viewer.is_staff else users.filter(pk=viewer.pk)


def user_for_viewer(viewer, user_id: int) -> User:
    """The user, or Http404 for anyone who may not see them."""
    return get_object_or_404(users_visible_to(viewer), pk=user_id)


def user_email_confirmed(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def user_email_pending(user: User) -> str | None:
    """The address the user asked to change to and has not confirmed yet."""
    pending = (
        EmailAddress.objects.filter(user=user, verified=False)
        .exclude(email__iexact=user.email)
        .order_by("-id")
        .first()
    )
    return pending.email if pending else None


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_for_user(user: User, token_id: int) -> ApiToken:
    return get_object_or_404(api_tokens_of(user), pk=token_id)


def user_has_mfa(user: User) -> bool:
    """Whether the user set up a second factor (authenticator app or passkey)."""
    return is_mfa_enabled(user)


def user_must_set_up_mfa(user) -> bool:
    """A staff member without a second factor while SEEDBOX_REQUIRE_2FA_FOR_STAFF is on."""
    return (
        settings.SEEDBOX_REQUIRE_2FA_FOR_STAFF
        and user.is_authenticated
        and user.is_staff
        and not is_mfa_enabled(user)
    )


def user_sessions_of(user: User) -> list[UserSession]:
    """The user's live browser sessions, newest first (allauth drops the ones that ended)."""
    sessions = UserSession.objects.purge_and_list(user)
    return sorted(sessions, key=lambda s: s.last_seen_at, reverse=True)


def user_session_for_user(user: User, session_id: int) -> UserSession:
    return get_object_or_404(UserSession.objects.filter(user=user), pk=session_id)


def active_staff_ids() -> list[int]:
    """Who hears of what staff must act on (a torrent waiting for approval, a node down)."""
    return list(User.objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True))

"""Ending a user's browser sessions (the rows of allauth.usersessions, one per logged-in browser).

Ending one deletes it from Django's session store too, so that browser is logged out at its next
request.
"""

from allauth.usersessions.models import UserSession

from accounts.models import User


def user_session_end(*, session: UserSession) -> None:
    session.end()


def user_sessions_end_others(*, user: User, keep_key: str | None = None) -> int:
    """End every session of the user but the one with `keep_key` (the caller's browser)."""
    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(session_key=keep_key or ""):
        session.end()
        ended += 1
    return ended

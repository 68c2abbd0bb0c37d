"""Changes to a user: what they may change themselves, what only an admin may, and deletion."""

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.manage_email import assess_unique_email
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from accounts.avatars import avatar_reencode
from accounts.models import ApiToken, User
from accounts.services.mail_limits import mail_to_address_consume
from accounts.services.passwords import user_check_password, user_set_password
from torrents.selectors import torrents_owned_by
from torrents.services.control import torrent_remove
from torrents.services.purge import purge_enqueue
from torrents.services.quota import quota_level_note
from torrents.services.seeding import RuleError, user_seeding_defaults_set
from torrents.services.throttle import user_throttles_apply

# Fields only an admin may set (on anyone, themself included).
ADMIN_FIELDS = frozenset(
    {"is_staff", "quota_bytes", "trusted", "is_active", "upload_cap_kib", "download_cap_kib"}
)
# Speed caps: admin-only, and rTorrent's groups follow a change (torrents/services/throttle.py).
CAP_FIELDS = frozenset({"upload_cap_kib", "download_cap_kib"})
# The user's own default seeding rule (torrents/services/seeding.py).
SEEDING_FIELDS = frozenset({"seed_ratio", "seed_hours"})
# The user's own choices about what they are told.
NOTICE_FIELDS = frozenset({"weekly_summary"})
# Fields no one may set through the site's forms or API (the Django admin is for superusers).
NEVER_FIELDS = frozenset({"is_superuser", "roles", "role", "groups", "user_permissions"})


def privilege_errors(*, fields: set[str], by: User) -> dict[str, list[str]]:
    """Field errors for each field in `fields` that `by` may not set."""
    errors = {name: ["This field cannot be set here."] for name in fields & NEVER_FIELDS}
    if not by.is_staff:
        errors.update({name: ["Only an admin can change this."] for name in fields & ADMIN_FIELDS})
    return errors


def user_change_refusal(*, user: User, by: User) -> str:
    """Why `by` may not change or delete `user` at all, or "" when they may: a staff member who
    is not a superuser cannot touch a superuser (no way up by taking over a stronger account)."""
    if user.pk != by.pk and user.is_superuser and not by.is_superuser:
        return "Only a superuser can change or delete a superuser."
    return ""


def _email_change_admit(*, request: HttpRequest, user: User, email: str) -> str | None:
    """The clean new address, counted in the mail limits; None when it is the current one."""
    email = get_adapter(request).clean_email(email.strip().lower())
    if email == user.email.lower():
        return None
    mail_to_address_consume(request=request, email=email, by=user)
    return email


def _email_change_send(*, request: HttpRequest, user: User, email: str | None) -> None:
    """Mail a confirmation link to the new address; it replaces the old one once confirmed (and
    the old address is then told, with a link to undo it). An address another account uses
    gets a mail saying so instead, and the answer is the same."""
    if email is None:
        return
    unique = assess_unique_email(email, user=user)
    if unique is True:
        EmailAddress.objects.add_new_email(request, user, email)
    elif unique is None:
        get_adapter(request).send_account_already_exists_mail(email)
    else:
        raise ValidationError({"email": ["This address is in use."]})


def user_set_avatar(*, user: User, upload) -> None:
    """Store a re-encoded copy of `upload`, or remove the avatar when it is None."""
    old = user.avatar.name if user.avatar else ""
    if upload is None:
        user.avatar = ""
    else:
        try:
            clean = avatar_reencode(upload)
            user.avatar.save(clean.name, clean, save=False)
        except ValidationError as exc:
            raise ValidationError({"avatar": exc.messages}) from None
    user.save(update_fields=["avatar"])
    if old and old != user.avatar.name:
        user.avatar.storage.delete(old)


def user_weekly_summary_set(*, user: User, enabled: bool) -> None:
    """The user's opt-in to the weekly summary (accounts/services/weekly_summary.py)."""
    user.weekly_summary = enabled
    user.save(update_fields=["weekly_summary"])


def user_update(
    *,
    request: HttpRequest,
    user: User,
    by: User,
    data: dict,
    token: ApiToken | None = None,
) -> User:
    """Apply a validated change of `user` made by `by`. Refuses (and changes nothing) when a
    field is beyond `by`'s rights: a user cannot raise their own rights or quota. A new email
    or password needs `current_password`, checked within the login failure limits; a new
    password ends every API token but `token` (the one that asked) and every other session."""
    errors = privilege_errors(fields=set(data), by=by)
    if refusal := user_change_refusal(user=user, by=by):
        errors["non_field_errors"] = [refusal]
    # The login address and the password are the user's own: an admin who could set either
    # could take the account over (a new address receives the reset link).
    if "password" in data and by.pk != user.pk:
        errors["password"] = ["Only the user can change their password; send them a reset link."]
    if "email" in data and by.pk != user.pk:
        errors["email"] = ["Only the user can change their email address."]
    if errors:
        raise ValidationError(errors)
    # Everything that can refuse comes before the first change: a refusal changes nothing.
    if "password" in data or "email" in data:
        current = data.get("current_password", "")
        user_check_password(request=request, user=user, password=current)
    new_email = None
    if "email" in data:
        new_email = _email_change_admit(request=request, user=user, email=data["email"])
    with transaction.atomic():
        if "password" in data:
            user_set_password(
                request=request, user=user, password=data["password"], keep_token=token
            )
        changed = [name for name in ADMIN_FIELDS | NOTICE_FIELDS if name in data]
        for name in changed:
            setattr(user, name, data[name])
        if changed:
            user.save(update_fields=changed)
        if CAP_FIELDS & set(changed):
            user_throttles_apply(user=user)
        if "quota_bytes" in changed:  # a smaller quota can fill it, a larger one frees it
            quota_level_note(user_id=user.pk)
        if SEEDING_FIELDS & set(data):
            try:
                user_seeding_defaults_set(
                    user=user,
                    ratio=data.get("seed_ratio", user.seed_ratio),
                    hours=data.get("seed_hours", user.seed_hours),
                )
            except RuleError as exc:
                raise ValidationError({"seed_ratio": [str(exc)]}) from None
        if "avatar" in data:
            user_set_avatar(user=user, upload=data["avatar"])
    if "email" in data:
        _email_change_send(request=request, user=user, email=new_email)
    return user


def user_delete(*, user: User) -> None:
    """Delete the account, its tokens, addresses, history and avatar file. Each of their torrents
    loses this owner the way a DELETE of the torrent would: one nobody owns any more is erased
    from rTorrent and its data deleted (by a task after the commit, and by the sync should the
    broker be down), one shared with others stays theirs."""
    avatar = user.avatar.name if user.avatar else ""
    storage = user.avatar.storage
    with transaction.atomic():
        orphaned = [
            torrent.pk
            for torrent in torrents_owned_by(user)
            if torrent_remove(torrent=torrent, by=user, purge=False)
        ]
        user.delete()
        for torrent_id in orphaned:
            transaction.on_commit(
                lambda torrent_id=torrent_id: purge_enqueue(torrent_id=torrent_id)
            )
    if avatar:
        storage.delete(avatar)

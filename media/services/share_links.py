"""Share links: a public page `/s/<key>/` of one torrent, folder or file for anyone who has the
URL: expiring (at most SEEDBOX_SHARE_LINK_MAX_DAYS), revocable, optionally behind a password
(hashed with make_password), counted (visits once per visitor session and link per
SEEDBOX_VIEW_WINDOW; downloads from the first byte).

Like direct links, the row keeps only the SHA-256 of the key, and only an owner of the torrent
makes one. A visit checks that the link is alive and the owner still owns the torrent; only
the files inside the shared file or folder (that the owner did not skip) are reachable.
Password tries are limited by allauth's limiter (ACCOUNT_RATE_LIMITS "share_password_failed":
per client address and per link); a right password marks the visitor's session for that link
(a stamp of the password's hash, so a new password asks again).
"""

import time
from pathlib import Path

from allauth.core import ratelimit
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from media.ffprobe import ProbeError, probe
from media.models import ShareLink
from media.playability import browser_type
from media.services.direct_links import (
    LinkError,
    LinkGone,
    Scope,
    expiry_from,
    key_hash,
    key_new,
    link_request_allowed,
    link_scope,
    link_usable,
    site_url,
)
from torrents.services.downloads import download_count

PASSWORD_MAX = 128
TYPE_CACHE_SECONDS = 24 * 3600


class PasswordRateLimited(Exception):
    """Too many wrong passwords from this address or for this link: answer 429."""


def _password(password: str | None) -> str:
    if password is None or password == "":
        return ""
    if not isinstance(password, str) or len(password) > PASSWORD_MAX:
        raise LinkError(f"password: text of at most {PASSWORD_MAX} characters, or empty")
    return make_password(password)


def share_link_create(
    *,
    user,
    torrent_id,
    file_id=None,
    folder: str = "",
    expires_in_days: int | None = None,
    password: str | None = None,
) -> tuple[ShareLink, str]:
    """A new share link and its key (shown once)."""
    scope = link_scope(user=user, torrent_id=torrent_id, file_id=file_id, folder=folder)
    maximum = settings.SEEDBOX_SHARE_LINK_MAX_DAYS
    expires_at = expiry_from(expires_in_days, default=maximum, maximum=maximum)
    key, hashed = key_new()
    link = ShareLink.objects.create(
        key=hashed,
        owner=user,
        torrent=scope.torrent,
        file=scope.file,
        folder=scope.folder,
        password=_password(password),
        expires_at=expires_at,
    )
    return link, key


def share_link_update(
    *, link: ShareLink, expires_in_days: int | None = None, password: str | None = None
) -> ShareLink:
    """New expiry (counted from now) and/or password ('' removes it); None leaves it."""
    fields = []
    if expires_in_days is not None:
        maximum = settings.SEEDBOX_SHARE_LINK_MAX_DAYS
        link.expires_at = expiry_from(expires_in_days, default=maximum, maximum=maximum)
        fields.append("expires_at")
    if password is not None:
        link.password = _password(password)
        fields.append("password")
    if fields:
        link.save(update_fields=fields)
    return link


def share_links_of(user) -> QuerySet[ShareLink]:
    return (
        ShareLink.objects.filter(owner=user)
        .select_related("torrent", "file")
        .order_by("-created_at", "-pk")
    )


def share_link_for_user(user, pk: int) -> ShareLink:
    """The user's own share link, or Http404 (admins included)."""
    return get_object_or_404(share_links_of(user), pk=pk)


def share_link_alive(*, key: str) -> tuple[ShareLink, Scope]:
    link = (
        ShareLink.objects.select_related("owner", "torrent__node", "file")
        .filter(key=key_hash(key))
        .first()
    )
    if link is None or not link_usable(link, owner=link.owner):
        raise LinkGone
    return link, Scope.of(link)


def share_request_allowed(*, request, link: ShareLink) -> bool:
    """One request under the link, within its per-link limit (ACCOUNT_RATE_LIMITS)."""
    return link_request_allowed(request, action="share_link", link=link)


def _session_key(link: ShareLink) -> str:
    return f"share-link:{link.pk}"


def _password_stamp(link: ShareLink) -> str:
    return salted_hmac("media.share_link", link.password).hexdigest()[:32]


def share_unlocked(*, request, link: ShareLink) -> bool:
    """No password, or this visitor's session gave the right one (for this password)."""
    if not link.password:
        return True
    stamp = request.session.get(_session_key(link), "")
    return constant_time_compare(stamp, _password_stamp(link))


def share_unlock(*, request, link: ShareLink, password: str) -> bool:
    """Check a visitor's password: True (and the session remembers it) or False (counted);
    PasswordRateLimited, before checking, after too many wrong ones."""
    limit = {"action": "share_password_failed", "key": link.key}
    if not ratelimit.consume(request, dry_run=True, **limit):
        raise PasswordRateLimited
    if check_password(password or "", link.password):
        request.session.cycle_key()
        request.session[_session_key(link)] = _password_stamp(link)
        return True
    ratelimit.consume(request, **limit)
    return False


def share_visit_count(*, request, link: ShareLink) -> bool:
    """Count a visit once per visitor session, link and SEEDBOX_VIEW_WINDOW; True if counted."""
    name = f"share-visit:{link.pk}"
    now = time.time()
    last = request.session.get(name)
    if isinstance(last, (int, float)) and now - last < settings.SEEDBOX_VIEW_WINDOW:
        return False
    request.session[name] = now
    ShareLink.objects.filter(pk=link.pk).update(visit_count=F("visit_count") + 1)
    return True


def share_download_count(*, link: ShareLink, scope: Scope, file=None) -> None:
    ShareLink.objects.filter(pk=link.pk).update(download_count=F("download_count") + 1)
    download_count(torrent=scope.torrent, file=file)


def share_link_path(*, key: str) -> str:
    return reverse("share-page", kwargs={"key": key})


def share_link_url(*, key: str) -> str:
    """The full URL of a new share link (its key is known only when it is made)."""
    return site_url(share_link_path(key=key))


def file_browser_type(*, file, path: Path) -> str:
    """The type a browser plays the file as ('' for none), from ffprobe (kept in the cache per
    file and modification time: a player's every range request would probe it again)."""
    stat = path.stat()
    name = f"media:browser-type:{file.pk}:{stat.st_size}:{stat.st_mtime_ns}"
    found = cache.get(name)
    if found is None:
        try:
            found = browser_type(probe(path))
        except ProbeError:
            found = ""
        cache.set(name, found, TYPE_CACHE_SECONDS)
    return found

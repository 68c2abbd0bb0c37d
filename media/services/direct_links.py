"""Direct links: a URL of a file, a folder (zip) or a whole torrent (zip) that needs no cookie
(wget, aria2, curl, VLC, Kodi, rclone), `/d/<key>/<name>`.

The key (`secrets.token_urlsafe(32)`) is shown once, when the link is made: the row keeps only
its SHA-256 (`DirectLink.key`), which is what a request's key is looked up by. Only an owner of
the torrent makes one (an admin who does not own it gets 404: a link takes someone's data out
of the site's login, so moderation rights are not enough). Every use checks that the link is
alive (not revoked, not expired, the user's password unchanged since: `password_stamp`), that
the user still owns the torrent and did not skip the file, and that its path resolves inside
the torrent's directory; anything else is LinkGone (404). The scope helpers here (`link_scope`,
`scope_files`), `link_state` and `link_revoke` serve share links too.
"""

import datetime as dt
import hashlib
import posixpath
import secrets
from dataclasses import dataclass
from pathlib import Path

from allauth.core.internal import ratelimit
from django.conf import settings
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from media.models import DirectLink, ShareLink
from torrents.models import Torrent, TorrentFile
from torrents.selectors import torrents_owned_by
from torrents.services.downloads import (
    NotAvailable,
    download_count,
    file_offered,
    file_path,
    folder_files,
    zip_filename,
)

PLAYLIST = "playlist.m3u"


class LinkError(ValueError):
    """Input a link cannot be made from (answer 400 with the message)."""


class LinkGone(Exception):
    """The link is unknown, dead, or what it points at is not available: answer 404."""


@dataclass(frozen=True)
class Scope:
    """What a link points at: one file, or the files of a folder ('' with no file: the torrent)."""

    torrent: Torrent
    file: TorrentFile | None
    folder: str

    @property
    def name(self) -> str:
        """The name a client saves it as: the file's, or the zip's."""
        if self.file is not None:
            return posixpath.basename(self.file.path) or self.torrent.name
        return zip_filename(torrent=self.torrent, folder=self.folder)

    @classmethod
    def of(cls, link: DirectLink | ShareLink) -> "Scope":
        """What a direct or share link points at."""
        return cls(link.torrent, link.file, link.folder)


def key_new() -> tuple[str, str]:
    """(the key for the URL, what the row keeps of it)."""
    key = secrets.token_urlsafe(32)
    return key, key_hash(key)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_stamp(user) -> str:
    """Changes whenever the user's password does (and tells nothing of it)."""
    return salted_hmac("media.direct_link", user.password).hexdigest()[:32]


def expiry_from(days: int | None, *, default: int, maximum: int) -> dt.datetime:
    if days is None:
        days = default
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        raise LinkError(f"expires_in_days: a whole number of days from 1 to {maximum}")
    return timezone.now() + dt.timedelta(days=days)


def link_scope(*, user, torrent_id, file_id=None, folder: str = "") -> Scope:
    """What `user` (an owner of the torrent) asks to link: Http404 for a torrent they do not
    own or a file not of it; LinkError for a skipped file or a folder with no files."""
    if isinstance(torrent_id, bool) or not isinstance(torrent_id, int):
        raise LinkError("torrent: a torrent id")
    torrent = get_object_or_404(torrents_owned_by(user).select_related("node"), pk=torrent_id)
    folder = (folder or "").strip("/")
    if file_id is not None:
        if isinstance(file_id, bool) or not isinstance(file_id, int):
            raise LinkError("file: a file id of this torrent, or null")
        if folder:
            raise LinkError("give a file or a folder, not both")
        file = get_object_or_404(torrent.files.all(), pk=file_id)
        try:
            file_offered(torrent=torrent, file=file, user=user)
        except NotAvailable as exc:
            raise LinkError(str(exc)) from None
        return Scope(torrent, file, "")
    try:
        folder_files(torrent=torrent, user=user, folder=folder)
    except NotAvailable as exc:
        raise LinkError(str(exc)) from None
    return Scope(torrent, None, folder)


def scope_files(*, scope: Scope, user) -> list[TorrentFile]:
    """The files reachable under a link: its file, or its folder's that `user` did not skip;
    LinkGone when there are none (now skipped, or gone)."""
    try:
        if scope.file is not None:
            file_offered(torrent=scope.torrent, file=scope.file, user=user)
            return [scope.file]
        return folder_files(torrent=scope.torrent, user=user, folder=scope.folder)
    except NotAvailable:
        raise LinkGone from None


def scope_file_path(*, scope: Scope, user, file_id: int | None = None) -> tuple[TorrentFile, Path]:
    """One file under the link (its own, or `file_id` of its folder) and its path on disk."""
    files = scope_files(scope=scope, user=user)
    file = files[0] if file_id is None and scope.file is not None else None
    if file_id is not None:
        file = next((f for f in files if f.pk == file_id), None)
    if file is None:
        raise LinkGone
    try:
        return file, file_path(torrent=scope.torrent, file=file)
    except NotAvailable:
        raise LinkGone from None


def link_request_allowed(request, *, action: str, link) -> bool:
    """One request under `link` within its ACCOUNT_RATE_LIMITS `action` (allauth's limiter, in
    the cache; its public `consume` never counts GETs, which is all a link gets, hence
    `limit_get`)."""
    usage = ratelimit.consume(
        request=request, app="allauth.account", action=action, key=link.key, limit_get=True
    )
    return usage is not None


def direct_link_create(
    *, user, torrent_id, file_id=None, folder: str = "", expires_in_days: int | None = None
) -> tuple[DirectLink, str]:
    """A new direct link and its key (shown once: the row keeps its hash only)."""
    scope = link_scope(user=user, torrent_id=torrent_id, file_id=file_id, folder=folder)
    days = settings.SEEDBOX_DIRECT_LINK_DAYS
    expires_at = expiry_from(expires_in_days, default=days, maximum=days)
    key, hashed = key_new()
    link = DirectLink.objects.create(
        key=hashed,
        user=user,
        torrent=scope.torrent,
        file=scope.file,
        folder=scope.folder,
        password_stamp=password_stamp(user),
        expires_at=expires_at,
    )
    return link, key


def direct_links_of(user) -> QuerySet[DirectLink]:
    return (
        DirectLink.objects.filter(user=user)
        .select_related("user", "torrent", "file")
        .order_by("-created_at", "-pk")
    )


def direct_link_for_user(user, pk: int) -> DirectLink:
    """The user's own link, or Http404 (admins included: links are personal)."""
    return get_object_or_404(direct_links_of(user), pk=pk)


def link_revoke(*, link: DirectLink | ShareLink) -> DirectLink | ShareLink:
    """Revoke a direct or share link (it stays listed); revoking twice keeps the first time."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def link_state(link) -> str:
    """alive, revoked or expired (a direct link whose password changed: see direct_link_state)."""
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= timezone.now():
        return "expired"
    return "alive"


def direct_link_state(link: DirectLink) -> str:
    """link_state, or "password changed" for a link the user's new password killed."""
    state = link_state(link)
    if state == "alive" and link.password_stamp != password_stamp(link.user):
        return "password changed"
    return state


def link_usable(link: DirectLink | ShareLink, *, owner) -> bool:
    """Whether a direct or share link still opens: alive, its user active and still an owner
    of the torrent."""
    if link_state(link) != "alive" or not owner.is_active:
        return False
    return torrents_owned_by(owner).filter(pk=link.torrent_id).exists()


def direct_link_alive(*, key: str) -> tuple[DirectLink, Scope]:
    """The live link a request's key names, and what it points at; LinkGone otherwise."""
    link = (
        DirectLink.objects.select_related("user", "torrent__node", "file")
        .filter(key=key_hash(key))
        .first()
    )
    if link is None or not link_usable(link, owner=link.user):
        raise LinkGone
    if not secrets.compare_digest(link.password_stamp, password_stamp(link.user)):
        raise LinkGone  # the password changed since: every link made before is dead
    return link, Scope.of(link)


def direct_link_used(
    *, link: DirectLink, scope: Scope, file: TorrentFile | None, from_start: bool
) -> None:
    """Count a use: every answered request moves last_used_at; one that sends a body from its
    first byte (not a download manager's later range) counts a use and a download."""
    changes: dict = {"last_used_at": timezone.now()}
    if from_start:
        changes["use_count"] = F("use_count") + 1
        download_count(torrent=scope.torrent, file=file)
    DirectLink.objects.filter(pk=link.pk).update(**changes)


def direct_link_path(*, key: str, scope: Scope) -> str:
    return reverse("direct-link", kwargs={"key": key, "name": scope.name})


def direct_link_url(*, key: str, link: DirectLink) -> str:
    """The full URL of a new link (its key is known only when it is made)."""
    return site_url(direct_link_path(key=key, scope=Scope.of(link)))


def direct_file_path(*, key: str, file: TorrentFile) -> str:
    """The URL of one file of a folder link (what its playlist lists)."""
    name = posixpath.basename(file.path) or "file"
    return reverse("direct-link-file", kwargs={"key": key, "file_id": file.pk, "name": name})


def site_url(path: str) -> str:
    return f"{settings.SEEDBOX_SITE_URL}{path}"

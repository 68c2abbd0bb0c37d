"""The checks of adding that need no data: one implementation for the intake itself and for the
check the add page makes before an upload starts (`intake_precheck`, POST /api/torrents/check).

A person who picked 29 MB of files must hear that a name is missing, a tracker is refused, there
are too many items or the quota is too small before the bytes travel, not after. Everything
here works from what a browser knows ahead: names, relative paths, sizes, announce URLs, magnet
links and URLs; the intake calls the same functions once the data is there.
"""

import base64
import binascii
from dataclasses import dataclass, field

import torf
from django.conf import settings

from seedbox.fetch import FetchError, url_check
from seedbox.sizes import human_sizes
from torrents.metainfo import (
    Metainfo,
    MetainfoError,
    check_relative_path,
    check_unique_paths,
    display_name,
    tracker_host,
)
from torrents.services.capacity import NodeFull
from torrents.services.labels import LabelError, labels_parse
from torrents.services.quota import QuotaExceeded
from torrents.services.tracker_rules import TrackerRefused, tracker_rules_check
from torrents.upload_guard import data_upload_refusal, free_quota


class IntakeError(Exception):
    """One item cannot be added; the message is for the person who sent it. `field` names the
    request field the refusal is about, when it is not the item itself (`files`, `paths`,
    `name`, `trackers`), so that forms show it next to that field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class IntakeRequestError(Exception):
    """The whole request is refused (too many items, nothing sent)."""


# What a rejected item's reason may come from: all are messages meant for people.
ITEM_ERRORS = (IntakeError, MetainfoError, TrackerRefused, QuotaExceeded, NodeFull)


def require_trackers(trackers: list[str]) -> None:
    # rTorrent 0.9.8 silently drops a torrent with no tracker at all (and DHT is off by default).
    if not trackers and not settings.SEEDBOX_RTORRENT_DHT:
        raise IntakeError(
            "it has no tracker, and rTorrent drops torrents without one: add an announce URL"
        )


def magnet_parse(uri: str) -> tuple[str, str, list[str]]:
    """(v1 info-hash in lowercase hex, display name, trackers) of a magnet link."""
    try:
        magnet = torf.Magnet.from_string(uri.strip())
    except torf.TorfError as exc:
        raise IntakeError(f"not a usable magnet link: {exc}") from None
    text = magnet.infohash
    try:
        info_hash = base64.b32decode(text.upper()).hex() if len(text) == 32 else text.lower()
        bytes.fromhex(info_hash)
    except (binascii.Error, ValueError):
        raise IntakeError("the magnet link's info-hash is not valid") from None
    return info_hash, display_name(magnet.dn or "") or info_hash, list(magnet.tr)


def magnet_checks(*, user, uri: str) -> tuple[str, str, list[str]]:
    """A magnet link parsed and its trackers checked: (info-hash, name, trackers)."""
    info_hash, name, trackers = magnet_parse(uri)
    tracker_rules_check(urls=trackers, user=user)
    require_trackers(trackers)
    return info_hash, name, trackers


def metainfo_checks(*, user, meta: Metainfo) -> None:
    """A .torrent's announce URLs: the safety check, the tracker rules, at least one."""
    tracker_rules_check(urls=meta.trackers, user=user)
    require_trackers(meta.trackers)


def request_count_check(count: int) -> None:
    """Something to add, and not more than SEEDBOX_MAX_TORRENTS_PER_REQUEST items."""
    limit = settings.SEEDBOX_MAX_TORRENTS_PER_REQUEST
    if count == 0:
        raise IntakeRequestError(
            "nothing to add: send .torrent files (torrents), magnet links (magnets), URLs of "
            ".torrent files (url), a .torrent with its data (torrent + files) or data to make a "
            "torrent from (files)"
        )
    if count > limit:
        raise IntakeRequestError(f"{count} torrents in one request; at most {limit} allowed")


def relative_paths_check(paths: list[str]) -> list[str]:
    """The data files' paths inside the upload, cleaned (`./`, backslashes) and checked."""
    result = []
    for path in paths:
        path = path.strip().replace("\\", "/").removeprefix("./")
        try:
            check_relative_path(path, "paths")
        except MetainfoError as exc:
            raise IntakeError(str(exc), field="files") from None
        result.append(path)
    try:
        check_unique_paths(result, "paths")
    except MetainfoError as exc:
        raise IntakeError(str(exc), field="files") from None
    return result


def data_name_check(name: str) -> str:
    """The name given for a torrent made from data ('' when none was given)."""
    name = name.strip()
    if name:
        try:
            check_relative_path(name, "name")
        except MetainfoError as exc:
            raise IntakeError(str(exc), field="name") from None
        if "/" in name:
            raise IntakeError("'name' must not contain a slash", field="name")
    return name


def data_layout(relative: list[str], name: str) -> tuple[str, list[str]]:
    """(torrent name, paths inside it): one file without folders makes a single-file torrent;
    otherwise a folder named `name`, or the one folder every path starts with."""
    if len(relative) == 1 and "/" not in relative[0] and not name:
        return relative[0], []
    if len(relative) == 1 and "/" not in relative[0]:
        return name, []
    tops = {p.split("/", 1)[0] for p in relative}
    if not name and len(tops) == 1 and all("/" in p for p in relative):
        return tops.pop(), [p.split("/", 1)[1] for p in relative]
    if not name:
        raise IntakeError("several files need a 'name' for the torrent's folder", field="name")
    return name, relative


def data_trackers_check(*, trackers: list[str], user) -> list[str]:
    """The announce URLs of a torrent made from data (the request's, or the site's defaults),
    checked as announce URLs and against the tracker rules."""
    trackers = list(trackers) or list(settings.SEEDBOX_DEFAULT_TRACKERS)
    if not trackers:
        raise IntakeError(
            "no tracker: give announce URLs in 'trackers' (rTorrent drops a torrent without one; "
            "the site has no SEEDBOX_DEFAULT_TRACKERS)",
            field="trackers",
        )
    for url in trackers:
        if not url.lower().startswith(("http://", "https://", "udp://")) or not tracker_host(url):
            raise IntakeError(
                f"{url!r} is not an announce URL (http://, https:// or udp://)", field="trackers"
            )
    try:
        tracker_rules_check(urls=trackers, user=user)
    except TrackerRefused as exc:
        raise IntakeError(str(exc), field="trackers") from None
    return trackers


def metainfo_size_check(size: int) -> None:
    limit = settings.SEEDBOX_METAINFO_MAX_SIZE
    if size > limit:
        sent, most = human_sizes(size, limit)
        raise MetainfoError(f"the file is {sent}; at most {most} allowed")


def data_quota_check(*, user, nbytes: int) -> None:
    """The data files fit the user's free quota and the upload limit (what the upload guard
    stops a streaming upload at)."""
    refusal = data_upload_refusal(free=free_quota(user), data_bytes=nbytes)
    if refusal is not None:
        raise IntakeError(refusal.message, field="files")


def torrent_url_check(url: str) -> str:
    """A URL of a .torrent the site will fetch: http(s), and an address the fetcher may reach."""
    try:
        url_check(url)
    except FetchError as exc:
        raise IntakeError(str(exc)) from None
    return url.strip()


@dataclass(frozen=True)
class PlannedFile:
    """A file as the browser knows it before sending it."""

    path: str
    size: int


@dataclass
class Verdict:
    name: str
    ok: bool
    reason: str = ""
    field: str | None = None


@dataclass
class Precheck:
    verdicts: list[Verdict] = field(default_factory=list)
    detail: str = ""  # the whole request is refused

    @property
    def ok(self) -> bool:
        return not self.detail and all(v.ok for v in self.verdicts)


def _verdict(precheck: Precheck, name: str, check) -> None:
    try:
        check()
    except ITEM_ERRORS as exc:
        precheck.verdicts.append(
            Verdict(name=name, ok=False, reason=str(exc), field=getattr(exc, "field", None))
        )
    else:
        precheck.verdicts.append(Verdict(name=name, ok=True))


def intake_precheck(
    *,
    user,
    torrents: list[PlannedFile] = (),
    magnets: list[str] = (),
    urls: list[str] = (),
    torrent: PlannedFile | None = None,
    files: list[PlannedFile] = (),
    name: str = "",
    trackers: list[str] = (),
    labels: str = "",
) -> Precheck:
    """What the intake would refuse in a request of this shape, judged before any data is
    sent: one verdict per item (in the order intake_submit takes them)."""
    result = Precheck()
    try:  # as intake_submit reads them: bad labels refuse the whole request
        labels_parse(labels)
    except LabelError as exc:
        result.detail = f"labels: {exc}"
        return result
    count = len(torrents) + len(magnets) + len(urls) + (1 if torrent or files else 0)
    try:
        request_count_check(count)
    except IntakeRequestError as exc:
        result.detail = str(exc)
        return result
    for planned in torrents:
        _verdict(result, planned.path, lambda p=planned: metainfo_size_check(p.size))
    for uri in magnets:
        _verdict(result, uri[:200], lambda u=uri: magnet_checks(user=user, uri=u))
    for url in urls:
        _verdict(result, url[:200], lambda u=url: torrent_url_check(u))
    data_bytes = sum(f.size for f in files)
    if torrent is not None:

        def with_data() -> None:
            metainfo_size_check(torrent.size)
            relative_paths_check([f.path for f in files])
            data_quota_check(user=user, nbytes=data_bytes)

        _verdict(result, torrent.path, with_data)
    elif files:

        def from_data() -> None:
            given = data_name_check(name)
            data_layout(relative_paths_check([f.path for f in files]), given)
            data_trackers_check(trackers=list(trackers), user=user)
            data_quota_check(user=user, nbytes=data_bytes)

        _verdict(result, name.strip() or files[0].path, from_data)
    return result


@dataclass
class Preview:
    """What a .torrent would add, before adding it: its files, and the verdicts of the checks
    the intake makes on it (trackers, quota)."""

    meta: Metainfo
    trackers: Verdict
    quota: Verdict

    @property
    def ok(self) -> bool:
        return self.trackers.ok and self.quota.ok


def metainfo_preview(*, user, meta: Metainfo) -> Preview:
    """The .torrent's verdicts: its announce URLs (safety check, rules, at least one) and
    whether its size fits the user's free quota now."""
    trackers = Precheck()
    _verdict(trackers, "trackers", lambda: metainfo_checks(user=user, meta=meta))
    free = free_quota(user)
    quota = (
        Verdict(name="quota", ok=True)
        if meta.size <= free
        else Verdict(
            name="quota",
            ok=False,
            reason=str(QuotaExceeded(needed=meta.size, free=free)),
        )
    )
    return Preview(meta=meta, trackers=trackers.verdicts[0], quota=quota)

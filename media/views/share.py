"""The visitor's side of a share link, `/s/<key>/`: the shared files (names, sizes) with
downloads (Range) and a zip, media the browser plays directly in a <video>/<audio> fed by an
inline stream under the key, and a password form when the link has one. Nothing of the
owner's account is shown (its own layout: no site navigation). Files outside the share, dead
links and path tricks are 404; over a limit, 429. What the browser cannot play directly goes
through HLS under the key (media/views/share_hls.py)."""

import posixpath
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from media.models import MediaFile, ShareLink, ViewVia
from media.services.direct_links import LinkGone, Scope, scope_file_path, scope_files
from media.services.playback import playback_probe
from media.services.share_links import (
    PasswordRateLimited,
    file_browser_type,
    share_download_count,
    share_link_alive,
    share_request_allowed,
    share_unlock,
    share_unlocked,
    share_visit_count,
)
from media.services.views import view_record
from media.views.direct import zip_response
from seedbox.file_serving import OCTET_STREAM, Served, file_response
from torrents.models import TorrentFile
from torrents.services.downloads import NotAvailable, data_accel_path, file_path

# Files probed with ffprobe for a player when the page is drawn (the metadata task's rows
# serve beyond that).
PROBE_ON_PAGE = 20


@dataclass(frozen=True)
class SharedFile:
    id: int
    path: str
    size_bytes: int
    player: str  # "video", "audio" or ""
    type: str  # what the browser plays directly ('' for HLS or nothing)
    hls: bool = False  # played through HLS made by ffmpeg (the browser cannot play it as it is)


def _gone() -> Http404:
    return Http404("no such link, or it is no longer valid")


def _open(request: HttpRequest, key: str) -> tuple[ShareLink, Scope]:
    try:
        link, scope = share_link_alive(key=key)
    except LinkGone:
        raise _gone() from None
    return link, scope


def _too_many() -> HttpResponse:
    return HttpResponse("Too many requests for this link.", status=429)


def _player(torrent, file, path) -> tuple[str, str, bool]:
    """(video, audio or '', the type the browser plays it as, whether through HLS), from the
    file's one probe (kept in its MediaFile row). HLS only for a file all on disk."""
    playback = playback_probe(file=file, path=path)
    mime = playback.browser_type
    if mime:
        return mime.split("/")[0], mime, False
    done = torrent.completed_at is not None or file.completed_bytes >= file.size_bytes > 0
    if done and playback.hls_mode and playback.kind in ("video", "audio"):
        return playback.kind, "", True
    return "", "", False


def _shown_files(scope: Scope, files) -> list[SharedFile]:
    prefix = scope.folder + "/" if scope.folder else ""
    playable = dict(
        MediaFile.objects.filter(file__in=files, browser_playable=True).values_list(
            "file_id", "kind"
        )
    )
    shown, probed = [], 0
    for file in sorted(files, key=lambda f: f.path):
        kind, mime, hls = playable.get(file.pk, ""), "", False
        if probed < PROBE_ON_PAGE:
            try:
                path = file_path(torrent=scope.torrent, file=file)
            except NotAvailable:
                path = None
            if path is not None:
                probed += 1
                kind, mime, hls = _player(scope.torrent, file, path)
        relative = file.path[len(prefix) :] if file.path.startswith(prefix) else file.path
        shown.append(SharedFile(file.pk, relative, file.size_bytes, kind, mime, hls))
    return shown


@require_http_methods(["GET", "HEAD", "POST"])
def share_page(request: HttpRequest, key: str) -> HttpResponse:
    link, scope = _open(request, key)
    if not share_request_allowed(request=request, link=link):
        return _too_many()
    context = {"key": key, "title": scope.name if scope.file else _title(scope)}
    if request.method == "POST":
        if not link.password:
            return redirect("share-page", key=key)
        try:
            right = share_unlock(request=request, link=link, password=request.POST.get("password"))
        except PasswordRateLimited:
            return render(
                request, "media/share_password.html", {**context, "limited": True}, status=429
            )
        if right:
            return redirect("share-page", key=key)
        return render(request, "media/share_password.html", {**context, "wrong": True}, status=403)
    if not share_unlocked(request=request, link=link):
        return render(request, "media/share_password.html", context)
    try:
        files = scope_files(scope=scope, user=link.owner)
    except LinkGone:
        raise _gone() from None
    share_visit_count(request=request, link=link)
    shown = _shown_files(scope, files)
    context.update(
        files=shown,
        has_hls=any(f.hls for f in shown),
        total=sum(f.size_bytes for f in shown),
        expires_at=link.expires_at,
        zip=scope.file is None,
    )
    return render(request, "media/share.html", context)


def _title(scope: Scope) -> str:
    return posixpath.basename(scope.folder) if scope.folder else scope.torrent.name


def shared_unlocked(request: HttpRequest, key: str) -> tuple[ShareLink, Scope] | HttpResponse:
    """The link and what it shares, or the answer for this visitor (429; 404 when locked)."""
    link, scope = _open(request, key)
    if not share_request_allowed(request=request, link=link):
        return _too_many()
    if not share_unlocked(request=request, link=link):
        raise _gone()  # a locked share's files are not there for this visitor
    return link, scope


def _served(
    request: HttpRequest, key: str, file_id: int, *, inline: bool
) -> tuple[ShareLink, Scope, TorrentFile, Served] | HttpResponse:
    """The unlocked share's file `file_id` answered with Range (404 for one not under it): a
    download, or `inline` in the type the browser plays it as."""
    found = shared_unlocked(request, key)
    if isinstance(found, HttpResponse):
        return found
    link, scope = found
    try:
        file, path = scope_file_path(scope=scope, user=link.owner, file_id=file_id)
    except LinkGone:
        raise Http404("not a file of this share") from None
    served = file_response(
        request,
        path,
        filename=posixpath.basename(file.path),
        inline=inline,
        content_type=(inline and file_browser_type(file=file, path=path)) or OCTET_STREAM,
        accel=data_accel_path(torrent=scope.torrent, path=path),
    )
    return link, scope, file, served


@require_safe
def share_file(request: HttpRequest, key: str, file_id: int) -> HttpResponse:
    found = _served(request, key, file_id, inline=False)
    if isinstance(found, HttpResponse):
        return found
    link, scope, file, served = found
    if served.from_start and request.method == "GET":  # a HEAD sends no body
        share_download_count(link=link, scope=scope, file=file)
    return served.response


@require_safe
def share_stream(request: HttpRequest, key: str, file_id: int) -> HttpResponse:
    found = _served(request, key, file_id, inline=True)
    if isinstance(found, HttpResponse):
        return found
    link, _, file, served = found
    if served.from_start and request.method == "GET":  # a HEAD sends no body
        view_record(file=file, via=ViewVia.SHARE, share=link)
    return served.response


@require_safe
def share_zip(request: HttpRequest, key: str) -> HttpResponse:
    found = shared_unlocked(request, key)
    if isinstance(found, HttpResponse):
        return found
    link, scope = found
    if scope.file is not None:
        raise Http404("a shared file has no zip")
    try:
        files = scope_files(scope=scope, user=link.owner)
    except LinkGone:
        raise _gone() from None
    response = zip_response(scope=scope, files=files)
    if request.method == "GET":
        share_download_count(link=link, scope=scope)
    return response

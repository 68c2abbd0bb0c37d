"""`/d/<key>/<name>`: what a direct link points at, with no cookie (wget, curl, aria2, VLC,
Kodi, rclone's http backend). The key decides; the name is only for clients that name the
file from the URL. A file answers with Range (seedbox/file_serving.py); a folder or torrent
link answers with its zip; with `playlist.m3u` (its media files' direct URLs, for VLC); with
a file's path inside it, that file; and at `/d/<key>/` (and each sub-folder's `.../<dir>/`)
with a plain HTML index of links, the way web servers list a directory (what rclone's http
backend and Kodi browse). Anything dead or not there is a 404; over the per-link rate, 429."""

import mimetypes
import posixpath
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from media.models import DirectLink, MediaFile, MediaKind
from media.services.direct_links import (
    PLAYLIST,
    LinkGone,
    Scope,
    direct_file_path,
    direct_link_alive,
    direct_link_used,
    link_request_allowed,
    scope_file_path,
    scope_files,
    site_url,
)
from seedbox.file_serving import file_response
from torrents.services.downloads import NotAvailable, data_accel_path, torrent_zip


def _alive(request: HttpRequest, key: str) -> tuple[DirectLink, Scope] | HttpResponse:
    try:
        link, scope = direct_link_alive(key=key)
    except LinkGone:
        raise Http404("no such link, or it is no longer valid") from None
    if not link_request_allowed(request, action="direct_link", link=link):
        return HttpResponse("Too many requests for this link.", status=429)
    return link, scope


def _file(request, link: DirectLink, scope: Scope, file_id: int | None) -> HttpResponse:
    if file_id is None and scope.file is None:
        return _zip(request, link, scope)
    try:
        file, path = scope_file_path(scope=scope, user=link.user, file_id=file_id)
    except LinkGone:
        raise Http404("not a file of this link") from None
    served = file_response(
        request,
        path,
        filename=scope.name if file_id is None else posixpath.basename(file.path),
        accel=data_accel_path(torrent=scope.torrent, path=path),
    )
    # A HEAD (rclone lists sizes with them) sends no body: not a download.
    sent = served.from_start and request.method == "GET"
    direct_link_used(link=link, scope=scope, file=file, from_start=sent)
    return served.response


def zip_response(*, scope: Scope, files) -> HttpResponse:
    """The zip of `files` under a link, streamed with its Content-Length (the share page's
    too); Http404 when none is on disk."""
    try:
        stream = torrent_zip(torrent=scope.torrent, files=files)
    except NotAvailable:
        raise Http404("none of these files is on disk") from None
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Length"] = str(len(stream))
    response["Content-Disposition"] = content_disposition_header(True, scope.name)
    if stream.last_modified:
        response["Last-Modified"] = http_date(stream.last_modified.timestamp())
    return response


def _zip(request, link: DirectLink, scope: Scope) -> HttpResponse:
    try:
        files = scope_files(scope=scope, user=link.user)
    except LinkGone:
        raise Http404("no files") from None
    response = zip_response(scope=scope, files=files)
    direct_link_used(link=link, scope=scope, file=None, from_start=request.method == "GET")
    return response


def _is_media(file, kinds: dict[int, str]) -> bool:
    """What a playlist lists: ffprobe's kind where the metadata task has read the file, the
    name's type otherwise (probing a whole folder would hold the request)."""
    kind = kinds.get(file.pk)
    if kind is not None:
        return kind in (MediaKind.VIDEO, MediaKind.AUDIO)
    guessed = mimetypes.guess_type(file.path)[0] or ""
    return guessed.startswith(("video/", "audio/"))


def _playlist(key: str, link: DirectLink, scope: Scope) -> HttpResponse:
    try:
        files = scope_files(scope=scope, user=link.user)
    except LinkGone:
        raise Http404("no files") from None
    kinds = dict(MediaFile.objects.filter(file__in=files).values_list("file_id", "kind"))
    lines = ["#EXTM3U"]
    for file in sorted(files, key=lambda f: f.path):
        if _is_media(file, kinds):
            title = file.path.replace("\n", " ").replace("\r", " ")
            lines += [f"#EXTINF:-1,{title}", site_url(direct_file_path(key=key, file=file))]
    response = HttpResponse("\n".join(lines) + "\n", content_type="audio/x-mpegurl; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(False, PLAYLIST)
    direct_link_used(link=link, scope=scope, file=None, from_start=False)
    return response


def _relative(scope: Scope, file) -> str:
    prefix = f"{scope.folder}/" if scope.folder else ""
    return file.path.removeprefix(prefix)


def _index(name: str, paths: list[str]) -> HttpResponse:
    """The entries of the folder `name` ('' for the link's top) among the link's relative
    `paths`: sub-folders (ending in /) first, then files; 404 for no such folder."""
    base = name.strip("/")
    below = [p.removeprefix(f"{base}/") for p in paths if not base or p.startswith(f"{base}/")]
    folders = sorted({p.split("/", 1)[0] + "/" for p in below if "/" in p})
    files = sorted(p for p in below if "/" not in p)
    if not folders and not files:
        raise Http404("no such folder under this link")
    rows = format_html_join(
        "\n", '<li><a href="{}">{}</a></li>', ((quote(e), e) for e in folders + files)
    )
    title = f"/{base}/" if base else "/"
    body = format_html(
        "<!DOCTYPE html>\n<html><head><title>Index of {}</title></head><body>"
        "<h1>Index of {}</h1><ul>\n{}\n</ul></body></html>\n",
        title,
        title,
        rows,
    )
    return HttpResponse(body, content_type="text/html; charset=utf-8")


def _folder(request, key: str, link: DirectLink, scope: Scope, name: str) -> HttpResponse:
    if name == PLAYLIST:
        return _playlist(key, link, scope)
    if any(part in (".", "..") for part in name.split("/")):
        raise Http404("not a path under this link")
    try:
        files = scope_files(scope=scope, user=link.user)
    except LinkGone:
        raise Http404("no files") from None
    by_path = {_relative(scope, f): f for f in files}
    if name in by_path:
        return _file(request, link, scope, by_path[name].pk)
    if name == "" or name.endswith("/"):
        direct_link_used(link=link, scope=scope, file=None, from_start=False)
        return _index(name, list(by_path))
    return _file(request, link, scope, None)  # any other name: the key decides, the zip


@require_safe
def direct_link(request: HttpRequest, key: str, name: str = "") -> HttpResponse:
    found = _alive(request, key)
    if isinstance(found, HttpResponse):
        return found
    link, scope = found
    if scope.file is None:
        return _folder(request, key, link, scope, name)
    return _file(request, link, scope, None)


@require_safe
def direct_link_file(request: HttpRequest, key: str, file_id: int, name: str) -> HttpResponse:
    found = _alive(request, key)
    if isinstance(found, HttpResponse):
        return found
    link, scope = found
    return _file(request, link, scope, file_id)

"""Sending one file on disk: the one helper downloads, streams, direct and share links and HLS
segments all answer with. It does Range (one range; RFC 9110 lets a server ignore several),
ETag, Last-Modified, If-Range and the conditional requests, or hands the file to the web server
in front (SEEDBOX_ACCEL_REDIRECT: nginx's X-Accel-Redirect or Apache's X-Sendfile), which then
does all of that itself.

The caller decides which file may be sent (a path it resolved inside a torrent's directory or
the media cache) and, for X-Accel-Redirect, where nginx finds it: `accel` is the path below the
internal location (`<node>/<path in its data root>` for torrent data, `hls/...` for segments).
"""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe
from werkzeug.http import parse_range_header

CHUNK = 256 * 1024
OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class Served:
    response: HttpResponse
    from_start: bool  # the body goes out from its first byte: what counts a download or a view


def byte_range(header: str | None, length: int) -> tuple[int, int] | bool | None:
    """The one range (start, stop) a Range header asks of `length` bytes; None to send it all
    (no header, a malformed one, or several ranges); False when it cannot be satisfied (416).
    A suffix longer than the file means all of it."""
    if not header:
        return None
    parsed = parse_range_header(header)
    if parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1:
        return None
    start, stop = parsed.ranges[0]
    if start < 0:
        start, stop = max(0, length + start), length
    else:
        stop = length if stop is None else min(stop, length)
    if start >= length or start >= stop:
        return False
    return start, stop


def _read(path: Path, start: int, length: int):
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(CHUNK, length))
            if not block:
                return
            length -= len(block)
            yield block


def _offloaded(path: Path, accel: str | None, content_type: str) -> HttpResponse | None:
    """With SEEDBOX_ACCEL_REDIRECT set, an empty answer telling nginx (or Apache) which file to
    send; None to send it from here (no offloading set up, or no internal location for it)."""
    mode = settings.SEEDBOX_ACCEL_REDIRECT
    if not mode:
        return None
    if mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = str(path)
        return response
    if accel is None:
        return None
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = quote(f"{mode}{accel}")
    return response


def file_response(
    request,
    path: Path,
    *,
    filename: str,
    inline: bool = False,
    content_type: str = OCTET_STREAM,
    accel: str | None = None,
    cache_control: str | None = None,
) -> Served:
    """Answer `request` with the file at `path` (already checked by the caller): whole, one
    range of it, 304/412/416, or handed to the web server in front."""
    disposition = content_disposition_header(not inline, filename)
    offloaded = _offloaded(path, accel, content_type)
    if offloaded is not None:
        offloaded["Content-Disposition"] = disposition
        if cache_control:
            offloaded["Cache-Control"] = cache_control
        return Served(offloaded, True)
    stat = path.stat()
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    last_modified = int(stat.st_mtime)
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:  # 304, or 412 for a failed precondition
        return Served(conditional, False)
    wanted = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if wanted and if_range and if_range != etag and parse_http_date_safe(if_range) != last_modified:
        wanted = None  # the file changed since the client's first part: send it all
    span = byte_range(wanted, stat.st_size)
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(last_modified),
        "Accept-Ranges": "bytes",
        "Content-Disposition": disposition,
    }
    if cache_control:
        headers["Cache-Control"] = cache_control
    if span is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{stat.st_size}"
        return Served(response, False)
    if span is None:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 (closed by the response)
        _set(response, headers)
        return Served(response, True)
    start, stop = span
    response = StreamingHttpResponse(
        _read(path, start, stop - start), status=206, content_type=content_type
    )
    _set(response, headers)
    response["Content-Length"] = str(stop - start)
    response["Content-Range"] = f"bytes {start}-{stop - 1}/{stat.st_size}"
    return Served(response, start == 0)


def _set(response: HttpResponse, headers: dict[str, str]) -> None:
    for name, value in headers.items():
        response[name] = value

"""Download API: the file list, one file (Range, ETag, Last-Modified, or handed to nginx/Apache)
and a zip streamed as it is written. Owners and admins only; 404 for everyone else."""

import os
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date, parse_http_date_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from seedbox.openapi import detail
from torrents.selectors import torrent_for_user
from torrents.services.downloads import (
    NotAvailable,
    byte_range,
    download_count,
    file_offered,
    file_path,
    folder_files,
    torrent_files_list,
    torrent_zip,
    zip_filename,
)

CHUNK = 256 * 1024
_BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="the bytes")
_NOT_AVAILABLE = detail("not yours, or its data is not (or no longer) on disk")


def _read(path: Path, start: int, length: int):
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(CHUNK, length))
            if not block:
                return
            length -= len(block)
            yield block


def _offloaded(path: Path, torrent) -> HttpResponse | None:
    """With SEEDBOX_ACCEL_REDIRECT set, an empty answer telling nginx (or Apache) which file to
    send: the web server then does Range and conditional requests itself."""
    mode = settings.SEEDBOX_ACCEL_REDIRECT
    if not mode:
        return None
    response = HttpResponse(content_type="application/octet-stream")
    if mode == "x-sendfile":
        response["X-Sendfile"] = str(path)
    else:
        relative = path.relative_to(Path(torrent.node.data_root).resolve()).as_posix()
        response["X-Accel-Redirect"] = urllib.parse.quote(f"{mode}{torrent.node.name}/{relative}")
    return response


def file_response(request, path: Path, filename: str, torrent) -> tuple[HttpResponse, bool]:
    """(the answer, whether the body goes out from the first byte: what counts a download)."""
    disposition = content_disposition_header(True, filename)
    offloaded = _offloaded(path, torrent)
    if offloaded is not None:
        offloaded["Content-Disposition"] = disposition
        return offloaded, True
    stat = path.stat()
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    last_modified = int(stat.st_mtime)
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:  # 304, or 412 for a failed precondition
        return conditional, False
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
    if span is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{stat.st_size}"
        return response, False
    if span is None:
        response = FileResponse(open(path, "rb"), content_type="application/octet-stream")  # noqa: SIM115 (closed by the response)
        _set(response, headers)
        return response, True
    start, stop = span
    response = StreamingHttpResponse(
        _read(path, start, stop - start), status=206, content_type="application/octet-stream"
    )
    _set(response, headers)
    response["Content-Length"] = str(stop - start)
    response["Content-Range"] = f"bytes {start}-{stop - 1}/{stat.st_size}"
    return response, start == 0


def _set(response: HttpResponse, headers: dict[str, str]) -> None:
    for name, value in headers.items():
        response[name] = value


class TorrentFilesView(APIView):
    """GET /api/torrents/:id/files: path, size, progress (0-1) and the caller's priority of
    each file (skip, normal, high; an admin who does not own it sees what rTorrent fetches)."""

    @extend_schema(
        responses=inline_serializer(
            "TorrentFileEntry",
            {
                "id": serializers.IntegerField(),
                "index": serializers.IntegerField(),
                "path": serializers.CharField(),
                "size_bytes": serializers.IntegerField(),
                "progress": serializers.FloatField(),
                "priority": serializers.ChoiceField(choices=["skip", "normal", "high"]),
                "download_count": serializers.IntegerField(),
            },
            many=True,
        )
    )
    def get(self, request: Request, pk: int) -> Response:
        torrent = torrent_for_user(request.user, pk)
        entries = torrent_files_list(torrent=torrent, user=request.user)
        return Response([entry.__dict__ for entry in entries])


class TorrentFileDownloadView(APIView):
    """GET /api/torrents/:id/files/:file_id/download: the file, with Range support."""

    @extend_schema(
        parameters=[
            OpenApiParameter("Range", str, OpenApiParameter.HEADER, description="bytes=start-end"),
            OpenApiParameter("If-Range", str, OpenApiParameter.HEADER),
            OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER),
            OpenApiParameter("If-Modified-Since", str, OpenApiParameter.HEADER),
        ],
        responses={
            (200, "application/octet-stream"): _BINARY,
            (206, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="the part the Range header asked for"
            ),
            304: OpenApiResponse(description="not modified since the client's copy"),
            404: _NOT_AVAILABLE,
            412: OpenApiResponse(description="an If-Match or If-Unmodified-Since failed"),
            416: OpenApiResponse(description="the Range is outside the file"),
        },
    )
    def get(self, request: Request, pk: int, file_id: int) -> HttpResponse:
        torrent = torrent_for_user(request.user, pk)
        file = get_object_or_404(torrent.files.all(), pk=file_id)
        try:
            file_offered(torrent=torrent, file=file, user=request.user)
            path = file_path(torrent=torrent, file=file)
        except NotAvailable as exc:
            raise Http404(str(exc)) from None
        response, counts = file_response(
            request, path, os.path.basename(file.path) or torrent.name, torrent
        )
        if counts:
            download_count(torrent=torrent, file=file)
        return response


class TorrentZipView(APIView):
    """GET /api/torrents/:id/download.zip[?path=folder]: stored (not compressed), zip64,
    streamed as it is written, with a Content-Length known ahead."""

    @extend_schema(
        parameters=[OpenApiParameter("path", str, description="a folder inside the torrent")],
        responses={(200, "application/zip"): _BINARY, 404: _NOT_AVAILABLE},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        torrent = torrent_for_user(request.user, pk)
        folder = request.query_params.get("path", "")
        try:
            files = folder_files(torrent=torrent, user=request.user, folder=folder)
            stream = torrent_zip(torrent=torrent, files=files)
        except NotAvailable as exc:
            raise Http404(str(exc)) from None
        response = StreamingHttpResponse(stream, content_type="application/zip")
        response["Content-Length"] = str(len(stream))
        response["Content-Disposition"] = content_disposition_header(
            True, zip_filename(torrent=torrent, folder=folder)
        )
        if stream.last_modified:
            response["Last-Modified"] = http_date(stream.last_modified.timestamp())
        download_count(torrent=torrent)
        return response

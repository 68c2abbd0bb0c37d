"""Download API: the file list, one file (Range, ETag, Last-Modified, or handed to nginx/Apache)
and a zip streamed as it is written. Owners and admins only; 404 for everyone else."""

import os

from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header, http_date
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

from seedbox.file_serving import file_response
from seedbox.openapi import detail
from torrents.selectors import torrent_for_user
from torrents.services.downloads import (
    NotAvailable,
    data_accel_path,
    download_count,
    file_offered,
    file_path,
    folder_files,
    torrent_files_list,
    torrent_zip,
    zip_filename,
)
from torrents.services.remote_files import is_remote, remote_file_url

_BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="the bytes")
_NOT_AVAILABLE = detail("not yours, or its data is not (or no longer) on disk")


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
            if is_remote(torrent):  # served by the nginx next to its node
                return self._redirect(request, torrent, file)
            path = file_path(torrent=torrent, file=file)
        except NotAvailable as exc:
            raise Http404(str(exc)) from None
        served = file_response(
            request,
            path,
            filename=os.path.basename(file.path) or torrent.name,
            accel=data_accel_path(torrent=torrent, path=path),
        )
        if served.from_start:
            download_count(torrent=torrent, file=file)
        return served.response

    @staticmethod
    def _redirect(request: Request, torrent, file) -> HttpResponse:
        wanted = request.headers.get("Range", "")
        if not wanted or wanted.startswith("bytes=0-"):  # a later part is the same download
            download_count(torrent=torrent, file=file)
        return HttpResponseRedirect(remote_file_url(torrent=torrent, file=file))


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
        if is_remote(torrent):
            raise Http404(
                f"its data is on {torrent.node.name}, another host: download its files one by one"
            )
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

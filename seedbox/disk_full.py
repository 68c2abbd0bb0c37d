"""A full (or read-only) disk met anywhere in a request is answered 507, never a 500: JSON on the
API, a page elsewhere. Uploads have their own, earlier answer (torrents/upload_guard.py); this
is for the rest (moving data into place, writing a file the site makes)."""

import errno

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
MESSAGE = "the server's disk is full or read-only right now; nothing was changed, try again later"


class DiskFullMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, OSError) and exception.errno in DISK_ERRORS):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": MESSAGE}, status=507)
        return render(request, "507.html", {"message": MESSAGE}, status=507)

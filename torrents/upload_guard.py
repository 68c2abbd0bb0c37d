"""Refusing an upload while it arrives, not after it is on disk.

Django writes every uploaded file to a temporary file before a view sees it, so a quota check in
the service comes after the whole body (up to SEEDBOX_UPLOAD_MAX_SIZE) was written. The guard is
an upload handler installed per request in front of Django's own: it refuses from the declared
Content-Length before anything is read, then counts the bytes as they stream and stops reading
(StopUpload, the partial temporary file removed) once the user's free quota, the request limit, a
.torrent's size limit, or the space all users' uploads in flight may take is passed. The view then
answers with the refusal it recorded.

Only data files are charged: a .torrent (fields `torrents` and `torrent`) is limited to
SEEDBOX_METAINFO_MAX_SIZE and costs no quota; magnets and other fields are small. The space in
flight is what the upload temp dir holds (the same directory for every process, and the truth after
a crash too), looked at every IN_FLIGHT_STEP bytes.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadhandler import (
    FileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict

from seedbox.sizes import human_size, human_sizes

METAINFO_FIELDS = frozenset({"torrents", "torrent"})
# Multipart headers and boundaries of one part, generously.
PART_OVERHEAD = 1024
IN_FLIGHT_STEP = 1 << 20


@dataclass(frozen=True)
class Refusal:
    status: int  # 413 (too large for a limit or the quota), 507 (the server's upload space)
    message: str


def temp_dir_usage(directory: Path | None = None) -> int:
    """Bytes held by the files under the upload temp dir (every process's uploads in flight)."""
    total = 0
    stack = [str(directory or settings.FILE_UPLOAD_TEMP_DIR)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # removed while we looked: it holds nothing any more
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


def free_quota(user) -> int:
    """What the user may still be charged (0 for anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    row = get_user_model().objects.only("quota_bytes", "used_bytes").get(pk=user.pk)
    return max(row.quota_bytes - row.used_bytes, 0)


def metainfo_allowance() -> int:
    """The most a request may bring besides data: its .torrent files and form fields."""
    return (
        settings.SEEDBOX_MAX_TORRENTS_PER_REQUEST * settings.SEEDBOX_METAINFO_MAX_SIZE
        + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        + settings.DATA_UPLOAD_MAX_NUMBER_FIELDS * PART_OVERHEAD
    )


def _too_large(nbytes: int, limit: int) -> Refusal:
    sent, most = human_sizes(nbytes, limit)
    return Refusal(413, f"the upload is {sent}; at most {most} are accepted")


def _over_quota(free: int) -> Refusal:
    if free <= 0:
        return Refusal(413, "your quota has no free space left for uploaded data")
    return Refusal(413, f"the data sent is larger than your free quota ({human_size(free)})")


def data_upload_refusal(*, free: int, data_bytes: int) -> Refusal | None:
    """Data files of `data_bytes` against the user's free quota and the request limit: the
    guard's check as the bytes stream, and the add page's before they are sent."""
    limit = min(free, settings.SEEDBOX_UPLOAD_MAX_SIZE)
    if data_bytes <= limit:
        return None
    if limit < free:
        return _too_large(data_bytes, limit)
    return _over_quota(free)


def _disk_full(exc: OSError) -> Refusal:
    return Refusal(
        507,
        f"the server's disk for uploads is full ({exc.strerror or exc}); nothing was kept, "
        "try again in a while",
    )


def _server_full() -> Refusal:
    return Refusal(
        507,
        "the server's space for uploads in progress is full right now; try again in a while",
    )


class UploadGuard(FileUploadHandler):
    """Counts what a request brings and stops it at the first limit passed (see the module)."""

    def __init__(self, request: HttpRequest):
        super().__init__(request)
        self.refusal: Refusal | None = None
        self.data_bytes = 0
        self.file_bytes = 0
        self._next_in_flight_check = IN_FLIGHT_STEP
        self._metainfo = False
        self._free = 0

    def _stop(self, refusal: Refusal) -> None:
        self.refusal = refusal
        raise StopUpload(connection_reset=True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        """Refuse from the declared size, before a byte of the body is read: an empty POST and
        FILES are handed back and the view answers with `refusal`."""
        self._free = free_quota(self.request.user)
        limit = settings.SEEDBOX_UPLOAD_MAX_SIZE
        if content_length > limit:
            self.refusal = _too_large(content_length, limit)
        elif content_length > self._free + metainfo_allowance():
            self.refusal = _over_quota(self._free)
        elif content_length + temp_dir_usage() > settings.SEEDBOX_UPLOADS_IN_FLIGHT_MAX:
            self.refusal = _server_full()
        if self.refusal is not None:
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, *args):
        self._metainfo = field_name in METAINFO_FIELDS
        if content_length is not None:  # a part may declare its size too
            self._check(content_length, 0)

    def _check(self, length: int, start: int) -> None:
        if self._metainfo:
            limit = settings.SEEDBOX_METAINFO_MAX_SIZE
            if start + length > limit:
                self._stop(
                    Refusal(413, f"a .torrent file is larger than {human_size(limit)}, the limit")
                )
        else:
            refusal = data_upload_refusal(free=self._free, data_bytes=self.data_bytes + length)
            if refusal is not None:
                self._stop(refusal)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._check(len(raw_data), start)
        if not self._metainfo:
            self.data_bytes += len(raw_data)
        self.file_bytes += len(raw_data)
        if self.file_bytes >= self._next_in_flight_check:
            self._next_in_flight_check = self.file_bytes + IN_FLIGHT_STEP
            if temp_dir_usage() > settings.SEEDBOX_UPLOADS_IN_FLIGHT_MAX:
                self._stop(_server_full())
        return raw_data

    def file_complete(self, file_size: int):
        return None  # the next handler (the temporary file) makes the file


class OtherUploadsLimit(FileUploadHandler):
    """The default in front of Django's handler for every request without a guard: any POST may
    carry files (the CSRF check parses the body whatever the view), so without it anyone could
    fill the temp dir through the login page. A file part past SEEDBOX_UPLOAD_OTHER_MAX_SIZE, or
    past the bound of the uploads in flight, stops the reading (the partial file removed)."""

    def __init__(self, request: HttpRequest | None = None):
        super().__init__(request)
        self.file_bytes = 0
        self._next_in_flight_check = IN_FLIGHT_STEP

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length + temp_dir_usage() > settings.SEEDBOX_UPLOADS_IN_FLIGHT_MAX:
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.SEEDBOX_UPLOAD_OTHER_MAX_SIZE:
            raise StopUpload(connection_reset=True)
        self.file_bytes += len(raw_data)
        if self.file_bytes >= self._next_in_flight_check:
            self._next_in_flight_check = self.file_bytes + IN_FLIGHT_STEP
            if temp_dir_usage() > settings.SEEDBOX_UPLOADS_IN_FLIGHT_MAX:
                raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int):
        return None


class DiskSafeTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler (each file streamed to a temporary file), except that a write the disk
    refuses (full, read-only) ends the upload cleanly: the partial file is closed and removed at
    once, the request's guard records a 507, and reading stops. Left to Django, the OSError
    became a 500 and the open partial file kept its space until the worker restarted, so every
    later upload failed too."""

    def new_file(self, *args, **kwargs) -> None:
        try:
            super().new_file(*args, **kwargs)
        except OSError as exc:
            self._fail(exc)

    def receive_data_chunk(self, raw_data: bytes, start: int):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        self.upload_interrupted()
        for handler in getattr(self.request, "upload_handlers", ()):
            if isinstance(handler, UploadGuard) and handler.refusal is None:
                handler.refusal = _disk_full(exc)
        raise StopUpload(connection_reset=True)


def upload_guard_install(request: HttpRequest) -> UploadGuard:
    """Put a guard in front of the request's upload handlers, in place of the default limit;
    call before anything reads the body (the CSRF check does, for a POST: install it before)."""
    guard = UploadGuard(request)
    others = [h for h in request.upload_handlers if not isinstance(h, OtherUploadsLimit)]
    request.upload_handlers = [guard, *others]
    return guard

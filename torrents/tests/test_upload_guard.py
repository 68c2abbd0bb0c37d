"""Uploads are refused while they arrive: from the declared size before the body is read, and
as soon as the quota or a limit is passed, with (almost) nothing written to the temp dir. Real
multipart bodies, generated as the server reads them, so the tests see how much was read."""

import bencodepy
import pytest
from django.test import Client

from accounts.models import User
from torrents.models import Torrent
from torrents.tests.intake_support import api
from torrents.tests.pages_support import client_for
from torrents.upload_guard import temp_dir_usage

MiB = 1 << 20
BOUNDARY = "----seedbox-test-boundary"


def metainfo_for(size: int, name: str = "big.bin") -> bytes:
    """A valid .torrent for one file of `size` bytes (its piece hashes need not match)."""
    pieces = -(-size // MiB)
    info = {b"name": name.encode(), b"piece length": MiB, b"pieces": b"\0" * 20 * pieces}
    info[b"length"] = size
    return bencodepy.encode({b"announce": b"http://127.0.0.1:6969/announce", b"info": info})


class StreamedBody:
    """A multipart/form-data body made as it is read: fields, files given as bytes, and files
    given as a size (that many zero bytes). Records how much the server read, and the most the
    upload temp dir held while it did."""

    def __init__(self, fields: dict[str, str], files: list[tuple[str, str, bytes | int]]):
        self.segments: list[bytes | int] = []
        for name, value in fields.items():
            self._part(f'name="{name}"', value.encode())
        for field, filename, content in files:
            self._part(f'name="{field}"; filename="{filename}"', content)
        self.segments.append(f"--{BOUNDARY}--\r\n".encode())
        self.length = sum(s if isinstance(s, int) else len(s) for s in self.segments)
        self.read_bytes = 0
        self.peak_temp = 0
        self._next_sample = 0

    def _part(self, disposition: str, content: bytes | int) -> None:
        head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n"
        if "filename" in disposition:
            head += "Content-Type: application/octet-stream\r\n"
        self.segments += [(head + "\r\n").encode(), content, b"\r\n"]

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        want = self.length if size is None or size < 0 else size
        while want > 0 and self.segments:
            head = self.segments[0]
            if isinstance(head, int):
                take = min(head, want)
                out += bytes(take)
                self.segments[0] = head - take
                if head == take:
                    self.segments.pop(0)
            else:
                out += head[:want]
                take = min(len(head), want)
                self.segments[0] = head[take:]
                if take == len(head):
                    self.segments.pop(0)
            want -= take
        self.read_bytes += len(out)
        if self.read_bytes >= self._next_sample:
            self._next_sample = self.read_bytes + 256 * 1024
            self.peak_temp = max(self.peak_temp, temp_dir_usage())
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:  # LimitedStream wants one
        return self.read(size)

    def environ(self) -> dict:
        return {
            "wsgi.input": self,
            "CONTENT_LENGTH": str(self.length),
            # RequestFactory sets CONTENT_TYPE only with `data`, APIRequestFactory always.
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "content_type": f"multipart/form-data; boundary={BOUNDARY}",
        }


@pytest.fixture(autouse=True)
def _own_temp_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "incoming"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()


@pytest.fixture
def broke(db) -> User:
    return User.objects.create_user("broke.uploads@example.com", "pw", quota_bytes=0)


def post_api(user, body: StreamedBody):
    return api(user).generic("POST", "/api/torrents/", **body.environ())


def post_page(user, body: StreamedBody, way: str):
    return client_for(user).generic("POST", f"/torrents/add/?way={way}", **body.environ())


def with_data(size: int) -> StreamedBody:
    return StreamedBody(
        {"way": "with-data"},
        [("torrent", "big.torrent", metainfo_for(size)), ("files", "big.bin", size)],
    )


def test_a_quota_0_users_50_mb_upload_stops_at_the_first_chunk(broke, settings):
    body = with_data(50 * MiB)
    response = post_api(broke, body)
    assert response.status_code == 413
    assert response.json() == {"detail": "your quota has no free space left for uploaded data"}
    assert body.read_bytes < MiB  # of 50 MiB
    assert body.peak_temp < MiB
    assert temp_dir_usage() == 0  # the .torrent's temporary file went too
    assert not Torrent.objects.exists()


def test_the_add_page_stops_the_same_upload_and_says_why(broke):
    body = with_data(50 * MiB)
    response = post_page(broke, body, "with-data")
    assert response.status_code == 413
    form = response.content.decode().split('id="form-with-data"', 1)[1].split("</form>", 1)[0]
    assert "your quota has no free space left for uploaded data" in form
    assert body.read_bytes < MiB
    assert temp_dir_usage() == 0


def test_the_declared_size_is_refused_before_a_byte_is_read(broke, alice, settings):
    # 1 .torrent of at most 1 MiB plus form fields: far less than the 50 MiB declared.
    settings.SEEDBOX_MAX_TORRENTS_PER_REQUEST = 1
    settings.SEEDBOX_METAINFO_MAX_SIZE = MiB
    body = with_data(50 * MiB)
    response = post_api(broke, body)
    assert response.status_code == 413
    assert "no free space" in response.json()["detail"]
    assert body.read_bytes == 0
    settings.SEEDBOX_UPLOAD_MAX_SIZE = 10 * MiB  # alice has the quota, not the request limit
    body = with_data(50 * MiB)
    response = post_page(alice, body, "with-data")
    assert response.status_code == 413
    assert "the upload is 50.0 MB; at most 10.0 MB are accepted" in response.content.decode()
    assert body.read_bytes == 0


def test_data_past_the_free_quota_stops_reading_there(db):
    carol = User.objects.create_user("carol.uploads@example.com", "pw", quota_bytes=2 * MiB)
    body = with_data(30 * MiB)
    response = post_api(carol, body)
    assert response.status_code == 413
    assert response.json()["detail"] == ("the data sent is larger than your free quota (2.0 MB)")
    assert 2 * MiB < body.read_bytes < 3 * MiB
    assert temp_dir_usage() == 0


def test_an_oversized_torrent_file_is_stopped_at_its_limit(alice, settings):
    settings.SEEDBOX_METAINFO_MAX_SIZE = MiB
    body = StreamedBody({}, [("torrents", "huge.torrent", 40 * MiB)])
    response = post_api(alice, body)
    assert response.status_code == 413
    assert response.json()["detail"] == "a .torrent file is larger than 1.0 MB, the limit"
    assert body.read_bytes < 2 * MiB


def test_uploads_in_flight_share_one_bound_across_processes(alice, settings):
    settings.SEEDBOX_UPLOADS_IN_FLIGHT_MAX = 8 * MiB
    # Another process's upload, in the same temp dir, already holds 7 MiB.
    (settings.FILE_UPLOAD_TEMP_DIR / "other-upload.part").write_bytes(bytes(7 * MiB))
    body = with_data(2 * MiB)
    response = post_api(alice, body)
    assert response.status_code == 507
    assert "space for uploads in progress is full" in response.json()["detail"]
    assert body.read_bytes == 0
    # Growing while ours streams: ours stops within a step of the bound.
    (settings.FILE_UPLOAD_TEMP_DIR / "other-upload.part").write_bytes(bytes(4 * MiB))
    body = with_data(6 * MiB)
    grow = body.read

    def read_while_the_other_grows(size=-1):
        with open(settings.FILE_UPLOAD_TEMP_DIR / "other-upload.part", "ab") as other:
            other.write(bytes(len(chunk := grow(size))))
        return chunk

    body.read = read_while_the_other_grows
    response = post_api(alice, body)
    assert response.status_code == 507
    assert body.read_bytes < 4 * MiB
    assert not Torrent.objects.exists()


def test_with_a_session_the_api_answers_the_refusal_not_a_csrf_failure(broke):
    # The CSRF check reads the body first; the guard stops it, and the token is never reached.
    client = Client(enforce_csrf_checks=True)
    client.force_login(broke)
    client.cookies["csrftoken"] = "a" * 32  # a browser's cookie: the check then reads the body
    body = with_data(50 * MiB)
    response = client.generic("POST", "/api/torrents/", **body.environ())
    assert response.status_code == 413
    assert response.json() == {"detail": "your quota has no free space left for uploaded data"}
    assert body.read_bytes < MiB


def test_any_other_post_cuts_a_file_at_its_limit_even_anonymous(db, settings):
    # The CSRF check parses the body of every POST: the login page would take 50 MiB to disk.
    settings.SEEDBOX_UPLOAD_OTHER_MAX_SIZE = 4 * MiB
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "a" * 32
    body = StreamedBody({"login": "x@example.com"}, [("junk", "junk.bin", 50 * MiB)])
    response = client.generic("POST", "/accounts/login/", **body.environ())
    assert response.status_code == 403  # no CSRF token: nothing else happens
    assert body.read_bytes < 5 * MiB
    assert body.peak_temp < 5 * MiB
    assert temp_dir_usage() == 0

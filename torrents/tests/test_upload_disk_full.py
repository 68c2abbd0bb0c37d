"""A full temp dir (issue 10, item 5): an upload that meets it gets a clear 507 (JSON on the
API), leaves nothing behind, and the next request works. The full disk is real: a 10 MB tmpfs
as the upload temp dir, filled up by another file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from seedbox.tests.tmpfs import tmpfs
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import GiB, post, upload
from torrents.tests.pages_support import client_for

MB = 1024 * 1024


@pytest.fixture
def full_temp_dir(settings, tmp_path):
    """A 10 MB upload temp dir with 9 MB taken: an upload of a few MB cannot fit."""
    with tmpfs(tmp_path / "incoming", 10) as path:
        settings.FILE_UPLOAD_TEMP_DIR = path
        filler = path / "filler.bin"
        filler.write_bytes(b"\0" * 9 * MB)
        yield path


def _data(size: int, name: str = "movie.mkv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\1" * size, content_type="application/octet-stream")


def test_the_api_answers_507_in_json_and_keeps_nothing(node, alice, full_temp_dir):
    alice.quota_bytes = GiB
    alice.save()

    response = post(alice, {"files": [_data(4 * MB)], "trackers": "http://127.0.0.1:6969/a"})

    assert response.status_code == 507
    assert response["Content-Type"] == "application/json"
    assert "disk" in response.json()["detail"]
    assert sorted(p.name for p in full_temp_dir.iterdir()) == ["filler.bin"]


def test_the_next_upload_works_once_there_is_room_again(node, alice, full_temp_dir, tmp_path):
    assert (
        post(alice, {"files": [_data(4 * MB)], "trackers": "http://127.0.0.1:6969/a"}).status_code
        == 507
    )
    (full_temp_dir / "filler.bin").unlink()  # the operator frees space

    data, _, _ = make_torrent(tmp_path / "small", "small.bin", 200)
    response = post(alice, {"torrents": [upload("small.torrent", data)]})

    assert response.status_code == 201, response.data
    again = post(
        alice, {"files": [_data(4 * MB, "again.mkv")], "trackers": "http://127.0.0.1:6969/a"}
    )
    assert again.status_code == 201, again.data


def test_the_add_page_answers_507_with_the_reason(node, alice, full_temp_dir):
    page = client_for(alice)

    response = page.post(
        "/torrents/add/?way=data",
        {"files": [_data(4 * MB)], "trackers": "http://127.0.0.1:6969/a"},
    )

    assert response.status_code == 507
    assert "disk for uploads is full" in response.content.decode()
    assert sorted(p.name for p in full_temp_dir.iterdir()) == ["filler.bin"]

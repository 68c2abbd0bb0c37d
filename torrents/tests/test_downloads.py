"""Files, single downloads (Range, conditional requests, safe names, offload to nginx/Apache)
and streamed zips: only owners and admins, only from inside the torrent's own directory."""

import io
import zipfile

import pytest

from torrents.models import Torrent, TorrentFile
from torrents.storage import torrent_directory
from torrents.tests.helpers_sync import add_torrent, api

FILES = {"a.bin": 70_000, "sub/b.bin": 1000, "sub/deeper/c.txt": 5}


@pytest.fixture
def multi(node, owner, tmp_path) -> Torrent:
    return add_torrent(node, [owner], tmp_path, name="album", files=FILES, with_data=True)


def _file(torrent, path) -> TorrentFile:
    return torrent.files.get(path=path)


def _url(torrent, path) -> str:
    return f"/api/torrents/{torrent.pk}/files/{_file(torrent, path).pk}/download"


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _on_disk(torrent, path) -> bytes:
    return (torrent_directory(torrent) / torrent.name / path).read_bytes()


def test_personas_on_every_download_endpoint(multi, owner, other, admin, tmp_path):
    urls = [
        f"/api/torrents/{multi.pk}/files",
        _url(multi, "a.bin"),
        f"/api/torrents/{multi.pk}/download.zip",
    ]
    for url in urls:
        assert api(owner).get(url).status_code == 200, url
        assert api(admin).get(url).status_code == 200, url
        assert api(other).get(url).status_code == 404, url
        assert api(None).get(url).status_code == 401, url
    # A file id of another torrent, through a torrent the caller owns, is not found either.
    theirs = add_torrent(multi.node, [other], tmp_path / "x", name="t.bin")
    url = f"/api/torrents/{multi.pk}/files/{theirs.files.get().pk}/download"
    assert api(owner).get(url).status_code == 404


def test_file_list_has_path_size_progress_priority(multi, owner):
    entries = api(owner).get(f"/api/torrents/{multi.pk}/files").json()
    assert [(e["path"], e["size_bytes"]) for e in entries] == sorted(FILES.items())
    # Loaded stopped and not checked yet: rTorrent counts nothing done.
    assert {e["progress"] for e in entries} == {0.0}
    assert {e["priority"] for e in entries} == {"normal"}  # nobody skipped anything


def test_whole_file_with_etag_last_modified_and_a_safe_name(multi, owner):
    response = api(owner).get(_url(multi, "sub/b.bin"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _on_disk(multi, "sub/b.bin")
    assert response["Content-Length"] == "1000"
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"].endswith("GMT")
    assert response["Content-Disposition"] == 'attachment; filename="b.bin"'

    again = api(owner).get(_url(multi, "sub/b.bin"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    since = api(owner).get(
        _url(multi, "sub/b.bin"), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]
    )
    assert since.status_code == 304


def test_non_ascii_names_use_rfc_5987(node, owner, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, name='été "quoted".txt', size=10, with_data=True)
    url = f"/api/torrents/{torrent.pk}/files/{torrent.files.get().pk}/download"
    disposition = api(owner).get(url)["Content-Disposition"]
    assert "filename*=utf-8''%C3%A9t%C3%A9%20%22quoted%22.txt" in disposition


@pytest.mark.parametrize(
    ("header", "status", "span"),
    [
        ("bytes=0-9", 206, (0, 10)),
        ("bytes=100-", 206, (100, 70_000)),
        ("bytes=-500", 206, (69_500, 70_000)),
        ("bytes=-999999", 206, (0, 70_000)),  # a suffix longer than the file: all of it
        ("bytes=69999-80000", 206, (69_999, 70_000)),  # the end is clamped
        ("bytes=70000-", 416, None),
        ("bytes=70000-70010", 416, None),
        ("bytes=0-1,5-6", 200, (0, 70_000)),  # several ranges: the whole file
        ("bytes=9-2", 200, (0, 70_000)),  # malformed: ignored
        ("pages=1-2", 200, (0, 70_000)),
    ],
)
def test_range_requests(multi, owner, header, status, span):
    response = api(owner).get(_url(multi, "a.bin"), HTTP_RANGE=header)
    assert response.status_code == status
    data = _on_disk(multi, "a.bin")
    if status == 416:
        assert response["Content-Range"] == "bytes */70000"
        return
    start, stop = span
    assert _body(response) == data[start:stop]
    assert response["Content-Length"] == str(stop - start)
    if status == 206:
        assert response["Content-Range"] == f"bytes {start}-{stop - 1}/70000"


def test_if_range_with_an_old_etag_sends_the_whole_new_file(multi, owner):
    url = _url(multi, "a.bin")
    etag = api(owner).get(url)["ETag"]
    partial = api(owner).get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert partial.status_code == 206
    stale = api(owner).get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"old"')
    assert stale.status_code == 200
    assert len(_body(stale)) == 70_000


def test_downloads_are_counted_once_per_download_not_per_range(multi, owner):
    url = _url(multi, "a.bin")
    _body(api(owner).get(url))
    _body(api(owner).get(url, HTTP_RANGE="bytes=0-99"))  # a download manager's first part
    _body(api(owner).get(url, HTTP_RANGE="bytes=100-"))  # ... and the rest: not counted again
    multi.refresh_from_db()
    assert _file(multi, "a.bin").download_count == 2
    assert multi.download_count == 2
    _body(api(owner).get(f"/api/torrents/{multi.pk}/download.zip"))
    multi.refresh_from_db()
    assert multi.download_count == 3


def test_a_symlink_escaping_the_torrent_is_refused(multi, owner, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    inside = torrent_directory(multi) / "album" / "sub" / "b.bin"
    inside.unlink()
    inside.symlink_to(secret)
    assert api(owner).get(_url(multi, "sub/b.bin")).status_code == 404
    archive = zipfile.ZipFile(
        io.BytesIO(_body(api(owner).get(f"/api/torrents/{multi.pk}/download.zip")))
    )
    assert "album/sub/b.bin" not in archive.namelist()
    assert b"not yours" not in b"".join(archive.read(n) for n in archive.namelist())


def test_a_torrent_directory_that_is_a_symlink_out_of_the_data_root_is_refused(
    node, owner, tmp_path
):
    torrent = add_torrent(node, [owner], tmp_path / "src", name="f.bin", size=10, load=False)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "f.bin").write_text("outside")
    directory = torrent_directory(torrent)
    directory.rmdir()
    directory.symlink_to(outside)
    url = f"/api/torrents/{torrent.pk}/files/{torrent.files.get().pk}/download"
    assert api(owner).get(url).status_code == 404
    assert api(owner).get(f"/api/torrents/{torrent.pk}/download.zip").status_code == 404


def test_zip_is_stored_streamed_and_limited_to_a_folder(multi, owner):
    response = api(owner).get(f"/api/torrents/{multi.pk}/download.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="album.zip"'
    body = _body(response)
    assert int(response["Content-Length"]) == len(body)
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(archive.namelist()) == sorted(f"album/{p}" for p in FILES)
    assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    assert archive.read("album/a.bin") == _on_disk(multi, "a.bin")

    folder = api(owner).get(f"/api/torrents/{multi.pk}/download.zip?path=sub")
    archive = zipfile.ZipFile(io.BytesIO(_body(folder)))
    assert sorted(archive.namelist()) == ["album/sub/b.bin", "album/sub/deeper/c.txt"]
    assert folder["Content-Disposition"] == 'attachment; filename="sub.zip"'

    for bad in ("../..", "sub/../..", "/etc", "su", "nothing"):
        answer = api(owner).get(f"/api/torrents/{multi.pk}/download.zip", {"path": bad})
        assert answer.status_code == 404, bad


def test_offload_to_nginx_or_apache(multi, owner, settings):
    settings.SEEDBOX_ACCEL_REDIRECT = "/protected/"
    response = api(owner).get(_url(multi, "sub/b.bin"))
    h = multi.info_hash
    assert response["X-Accel-Redirect"] == f"/protected/test/{h[:2]}/{h}/album/sub/b.bin"
    assert response.content == b""
    settings.SEEDBOX_ACCEL_REDIRECT = "x-sendfile"
    response = api(owner).get(_url(multi, "sub/b.bin"))
    assert response["X-Sendfile"] == str((torrent_directory(multi) / "album/sub/b.bin").resolve())


def test_a_file_not_on_disk_yet_is_404(node, owner, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, name="later.bin", size=10)
    url = f"/api/torrents/{torrent.pk}/files/{torrent.files.get().pk}/download"
    answer = api(owner).get(url)
    assert answer.status_code == 404

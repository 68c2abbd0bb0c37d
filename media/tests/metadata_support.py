"""Test set-up of the metadata tests: real media made by ffmpeg once per run, completed torrents
whose files are on disk (rows and data, no rTorrent needed: probing reads the disk), and a
loopback HTTP server answering as TMDB does, from the recorded answers in tmdb_responses/."""

import hashlib
import itertools
import json
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from torrents.models import Node, Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.storage import torrent_directory

RESPONSES = Path(__file__).parent / "tmdb_responses"
API_KEY = "recorded-test-key"
_numbers = itertools.count(1)


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Path]:
    """An H.264/AAC MP4 (320x240, 3 s), an MP3 (3 s), a text file named like a video, and a
    JPEG (TMDB's poster in the recorded answers)."""
    base = tmp_path_factory.mktemp("media-samples")
    mp4, mp3, jpeg = base / "clip.mp4", base / "song.mp3", base / "poster.jpg"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=3",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(mp4),
    )  # fmt: skip
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libmp3lame", str(mp3))
    _ffmpeg("-f", "lavfi", "-i", "color=c=blue:size=200x300", "-frames:v", "1", str(jpeg))
    text = base / "notes.mkv"
    text.write_text("This is not a video, whatever its name says.\n" * 20)
    return {"mp4": mp4, "mp3": mp3, "text": text, "jpeg": jpeg}


@pytest.fixture
def media_dir(settings, tmp_path) -> Path:
    settings.SEEDBOX_MEDIA_DIR = tmp_path / "media"
    settings.SEEDBOX_TMDB_API_KEY = ""
    return settings.SEEDBOX_MEDIA_DIR


@pytest.fixture
def data_node(db, tmp_path) -> Node:
    """A node whose data root is a scratch directory (no daemon: nothing here asks rTorrent)."""
    root = tmp_path / "data"
    root.mkdir()
    return Node.objects.create(name="media", rpc_url="scgi:///nonexistent/rpc.sock", data_root=root)


def completed_torrent(
    node: Node,
    owners: list,
    *,
    name: str,
    files: dict[str, Path | None],
    completed: bool = True,
    skipped: tuple[str, ...] = (),
) -> Torrent:
    """A torrent's rows and its data on disk: `files` maps each path to the file copied there
    (None: a row only, the file not on disk). One file named like the torrent: single-file."""
    single = list(files) == [name]
    n = next(_numbers)
    torrent = Torrent.objects.create(
        info_hash=hashlib.sha1(f"media {n} {time.time()}".encode()).hexdigest(),
        name=name,
        size_bytes=0,
        node=node,
        status=TorrentStatus.SEEDING if completed else TorrentStatus.DOWNLOADING,
        completed_at=timezone.now() if completed else None,
        added_by=owners[0] if owners else None,
    )
    base = torrent_directory(torrent) if single else torrent_directory(torrent) / name
    rows = []
    for index, (path, source) in enumerate(sorted(files.items())):
        size = source.stat().st_size if source is not None else 1000
        rows.append(
            TorrentFile(
                torrent=torrent,
                index=index,
                path=path,
                size_bytes=size,
                priority=0 if path in skipped else 1,
            )
        )
        if source is not None:
            (base / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, base / path)
    TorrentFile.objects.bulk_create(rows)
    for user in owners:
        Ownership.objects.create(torrent=torrent, user=user)
    return torrent


class TmdbServer:
    """TMDB's API on loopback: the recorded answers, chosen by path and query; `fail_with`
    makes every answer that status (401, 404, 429) or, for "timeout", no answer in time."""

    def __init__(self, poster: bytes):
        self.poster = poster
        self.requests: list[str] = []
        self.fail_with: int | str | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, content_type, body = server.answer(self.path)
                if status == 0:
                    time.sleep(2)  # longer than the test's read timeout
                    status = 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _json(self, status: int, name: str) -> tuple[int, str, bytes]:
        return status, "application/json;charset=utf-8", (RESPONSES / name).read_bytes()

    def answer(self, raw: str) -> tuple[int, str, bytes]:
        parts = urlsplit(raw)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/t/p/w500/"):
            return 200, "image/jpeg", self.poster
        if self.fail_with == "timeout":
            return 0, "application/json", (RESPONSES / "search_movie.json").read_bytes()
        if self.fail_with in (401, 404, 429):
            return self._json(self.fail_with, f"error_{self.fail_with}.json")
        if query.get("api_key") != API_KEY:
            return self._json(401, "error_401.json")
        if parts.path == "/3/search/movie":
            found = query.get("query") == "Big Buck Bunny" and query.get("year") in (None, "2008")
            return self._json(200, "search_movie.json" if found else "search_movie_empty.json")
        if parts.path == "/3/search/tv":
            found = query.get("query") == "Breaking Bad"
            return self._json(200, "search_tv.json" if found else "search_movie_empty.json")
        if parts.path == "/3/tv/1396/season/4/episode/4":
            return self._json(200, "tv_episode.json")
        return self._json(404, "error_404.json")

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def tmdb(settings, samples, media_dir):
    """The loopback TMDB, with the key set and the fetcher allowed to reach loopback."""
    server = TmdbServer(samples["jpeg"].read_bytes())
    settings.SEEDBOX_TMDB_API_KEY = API_KEY
    settings.SEEDBOX_TMDB_API_URL = f"http://127.0.0.1:{server.port}/3"
    settings.SEEDBOX_TMDB_IMAGE_URL = f"http://127.0.0.1:{server.port}/t/p/w500"
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    settings.SEEDBOX_FETCH_READ_TIMEOUT = 0.5
    yield server
    server.stop()


def recorded(name: str) -> dict:
    return json.loads((RESPONSES / name).read_text())

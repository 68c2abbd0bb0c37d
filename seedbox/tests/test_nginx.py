"""The production nginx config (deploy/nginx/seedbox.conf.template), rendered as the official
image renders it, passes `nginx -t` with Debian's nginx, and run here in front of the site it
serves a download through X-Accel-Redirect with Range, keeps /protected/ internal and never
proxies rTorrent's SCGI."""

import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from accounts.models import User
from accounts.services.tokens import api_token_create
from torrents.models import Node
from torrents.services.remote_files import secure_link_token
from torrents.tests.helpers_sync import add_torrent, api

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "seedbox.conf.template"
NODE_FILES = ROOT / "deploy" / "nginx" / "node-files.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="Debian's nginx is not installed")


def render(values: dict[str, str], template: Path = TEMPLATE) -> str:
    """What the nginx image's envsubst does: ${NAME} for the names it is given, nothing else."""
    text = template.read_text()
    missing = set(re.findall(r"\$\{(\w+)\}", text)) - set(values)
    assert not missing, f"the template needs {missing}"
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main_conf(prefix: Path, site: str) -> Path:
    """A whole nginx.conf around the site's server block, everything under `prefix`."""
    (prefix / "site.conf").write_text(site)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / name).mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""
user root;
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/site.conf;
}}
"""
    )
    return conf


def values(tmp_path: Path, *, upstream: str, port: int, data_dir: Path) -> dict[str, str]:
    return {
        "SEEDBOX_UPSTREAM": upstream,
        "SEEDBOX_NGINX_PORT": str(port),
        "SEEDBOX_NGINX_MAX_BODY": "21g",
        "SEEDBOX_STATIC_ROOT": str(tmp_path / "static"),
        "SEEDBOX_NODE_NAME": "local",
        "SEEDBOX_DATA_DIR": str(data_dir),
        "SEEDBOX_HLS_DIR": str(tmp_path / "hls"),
    }


def test_the_config_passes_nginx_t_and_proxies_no_scgi(tmp_path):
    site = render(values(tmp_path, upstream="127.0.0.1:8000", port=8080, data_dir=tmp_path))
    conf = main_conf(tmp_path, site)
    checked = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
    assert "scgi_pass" not in site
    assert "rpc.sock" not in site
    assert re.search(r"location /protected/local/ \{\s*internal;", site)


def start_nginx(prefix: Path, site: str) -> tuple[subprocess.Popen, int]:
    """nginx running `site` (with its port put in for SEEDBOX_NGINX_PORT) under `prefix`."""
    port = free_port()
    conf = main_conf(prefix, site.replace("listen 0;", f"listen {port};"))
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.terminate()
    pytest.fail("nginx did not start: " + (prefix / "error.log").read_text())


@pytest.fixture
def nginx_in_front(live_server, tmp_path):
    """nginx on a free port in front of the live server; yields its base URL and data dir."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    upstream = live_server.url.removeprefix("http://")
    process, port = start_nginx(
        tmp_path, render(values(tmp_path, upstream=upstream, port=0, data_dir=data_dir))
    )
    yield f"http://127.0.0.1:{port}", data_dir
    process.terminate()
    process.wait(timeout=10)


def _get(url: str, headers: dict[str, str]):
    request = urllib.request.Request(url, headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


def test_a_download_goes_out_through_x_accel_redirect_with_range(
    nginx_in_front, live_server, settings, transactional_db, tmp_path
):
    base, data_dir = nginx_in_front
    settings.SEEDBOX_ACCEL_REDIRECT = "/protected/"
    node = Node.objects.create(
        name="local", rpc_url="scgi:///nowhere.sock", data_root=str(data_dir)
    )
    owner = User.objects.create_user("nginx.owner@example.com", "pw", quota_bytes=1 << 30)
    torrent = add_torrent(
        node, [owner], tmp_path / "made", name="album", files={"song.bin": 200_000},
        with_data=True, load=False,
    )  # fmt: skip
    file = torrent.files.get()
    on_disk = next(data_dir.rglob("song.bin")).read_bytes()
    relative = next(data_dir.rglob("song.bin")).relative_to(data_dir).as_posix()
    _, key = api_token_create(user=owner, name="nginx test")
    url = f"{base}/api/torrents/{torrent.pk}/files/{file.pk}/download"

    part = _get(url, {"Authorization": f"Token {key}", "Range": "bytes=1000-1999"})
    assert part.status == 206
    assert part.read() == on_disk[1000:2000]
    assert part.headers["Content-Range"] == "bytes 1000-1999/200000"
    assert "X-Accel-Redirect" not in part.headers  # nginx consumed it
    # Django itself answered with no bytes, only where nginx finds the file: nginx sent them.
    upstream = _get(
        url.replace(base, live_server.url), {"Authorization": f"Token {key}", "Range": "bytes=0-9"}
    )
    assert upstream.status == 200
    assert upstream.read() == b""
    assert upstream.headers["X-Accel-Redirect"] == f"/protected/local/{relative}"

    whole = _get(url, {"Authorization": f"Token {key}"})
    assert whole.status == 200
    assert whole.read() == on_disk

    # Without the token Django refuses before any X-Accel-Redirect; /protected/ is internal.
    assert _get(url, {}).status == 401
    assert _get(f"{base}/protected/local/{relative}", {}).status == 404


@pytest.fixture
def files_host(tmp_path):
    """The nginx of another node's host (node-files.conf.template): (base URL, data dir)."""
    data_dir = tmp_path / "far-data"
    data_dir.mkdir()
    site = render(
        {
            "SEEDBOX_NGINX_PORT": "0",
            "SEEDBOX_NODE_FILES_PREFIX": "/files",
            "SEEDBOX_NODE_FILES_SECRET": "s3cret-of-far",
            "SEEDBOX_DATA_DIR": str(data_dir),
        },
        NODE_FILES,
    )
    prefix = tmp_path / "far-nginx"
    prefix.mkdir()
    process, port = start_nginx(prefix, site)
    yield f"http://127.0.0.1:{port}/files", data_dir
    process.terminate()
    process.wait(timeout=10)


def test_a_torrent_on_another_host_is_downloaded_from_that_host(files_host, db, tmp_path):
    base, data_dir = files_host
    node = Node.objects.create(
        name="far", rpc_url="scgi://10.9.9.9:5000", data_root=str(data_dir),
        files_url=base, files_secret="s3cret-of-far",
    )  # fmt: skip
    owner = User.objects.create_user("far.owner@example.com", "pw", quota_bytes=1 << 30)
    torrent = add_torrent(
        node, [owner], tmp_path / "made", name="album", files={"a b/song.bin": 100_000},
        with_data=True, load=False,
    )  # fmt: skip
    file = torrent.files.get()
    on_disk = next(data_dir.rglob("song.bin")).read_bytes()

    answer = api(owner).get(f"/api/torrents/{torrent.pk}/files/{file.pk}/download")
    assert answer.status_code == 302  # the web process sends no byte of it
    location = answer["Location"]
    assert location.startswith(base + "/")
    assert "md5=" in location

    part = _get(location, {"Range": "bytes=500-1499"})
    assert part.status == 206
    assert part.read() == on_disk[500:1500]
    assert _get(location, {}).read() == on_disk
    torrent.refresh_from_db()
    assert torrent.files.get().download_count == 1

    # A link changed by hand, or past its time, is refused by nginx; others' torrents by Django.
    forged = re.sub(r"md5=[^&]+", "md5=AAAAAAAAAAAAAAAAAAAAAA", location)
    assert _get(forged, {}).status == 403
    uri = urlsplit(location).path
    expired = int(time.time()) - 10
    token = secure_link_token(uri=unquote(uri), expires=expired, secret="s3cret-of-far")
    assert _get(f"{location.split('?')[0]}?md5={token}&expires={expired}", {}).status == 410
    other = User.objects.create_user("far.other@example.com", "pw")
    admin = User.objects.create_user("far.admin@example.com", "pw", is_staff=True)
    download = f"/api/torrents/{torrent.pk}/files/{file.pk}/download"
    assert api(other).get(download).status_code == 404
    assert api(None).get(download).status_code == 401
    assert api(admin).get(download).status_code == 302  # an admin is sent to the far host too
    # A zip would have to pass through this process: it says where the data is instead.
    zipped = api(owner).get(f"/api/torrents/{torrent.pk}/download.zip")
    assert zipped.status_code == 404
    assert "another host" in zipped.json()["detail"]

"""The production deployment as far as it can be tried without a Docker engine: the compose file
parses and has the services, volumes and health checks the README names, the image is
multi-stage and runs as a user, .env.example lists every setting, and `check --deploy` is clean
with its values. (nginx's config is tried for real in test_nginx.py.)"""

import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import env_example  # noqa: E402  (scripts/ is not a package)

SERVICES = {"postgres", "redis", "rtorrent", "web", "worker", "beat", "nginx"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_a_health_check_and_named_volumes():
    parsed = compose()
    assert set(parsed["services"]) == SERVICES
    for name, service in parsed["services"].items():
        assert "healthcheck" in service, f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", name
    assert set(parsed["volumes"]) == {"postgres", "redis", "seedbox", "static"}
    readme = (ROOT / "README.md").read_text()
    for name in SERVICES:
        assert f"`{name}`" in readme, f"README's Production section does not name {name}"


NODE2_SERVICES = {"rtorrent2", "worker2", "files2"}


def node2() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.node2.yml").read_text())


def defaults(value: str) -> str:
    """What compose makes of `${NAME:-default}` with NAME unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_the_second_node_file_adds_a_node_its_worker_on_its_queue_and_its_volume():
    """`docker compose -f docker-compose.yml -f docker-compose.node2.yml up -d` (README)."""
    parsed = node2()
    services = parsed["services"]
    assert set(services) == NODE2_SERVICES | {"web", "worker"}  # the two only gain a volume
    assert set(parsed["volumes"]) == {"seedbox2"}
    for name in NODE2_SERVICES:
        assert "healthcheck" in services[name], f"{name} has no health check"
        assert services[name].get("restart") == "unless-stopped", name
    main = compose()
    assert (
        services["rtorrent2"]["image"] == services["worker2"]["image"] == main["x-seedbox"]["image"]
    )
    env = services["rtorrent2"]["environment"]
    assert env["SEEDBOX_NODE_NAME"] == "node2"
    assert env["SEEDBOX_NODE_QUEUE"] == "node2"
    assert env["SEEDBOX_DATA_DIR"].startswith("/var/lib/seedbox2/")
    assert defaults(env["SEEDBOX_RTORRENT_URL"]) == "scgi:///var/lib/seedbox2/rtorrent/rpc.sock"
    assert defaults(env["SEEDBOX_RTORRENT_SCGI_TCP"]) == ""  # TCP only when told (another host)
    assert services["rtorrent2"]["volumes"] == ["seedbox2:/var/lib/seedbox2"]
    command = services["worker2"]["command"]
    assert command[command.index("-Q") + 1] == "node2"
    # Its worker sees both nodes' data (a move copies between them); so does the default one.
    for name in ("worker2", "worker", "web"):
        assert "seedbox2:/var/lib/seedbox2" in services[name]["volumes"], name
    assert "seedbox:/var/lib/seedbox" in services["worker2"]["volumes"]
    # Its own peer ports, its files' nginx, and never SCGI.
    published = {name: service.get("ports", []) for name, service in services.items()}
    assert {name for name, ports in published.items() if ports} == {"rtorrent2", "files2"}
    assert all("51011-51020" in port for port in published["rtorrent2"])
    files = services["files2"]
    assert "node-files.conf.template" in files["volumes"][0]
    assert files["environment"]["SEEDBOX_DATA_DIR"] == env["SEEDBOX_DATA_DIR"]
    template = (ROOT / "deploy" / "nginx" / "node-files.conf.template").read_text()
    assert set(re.findall(r"\$\{(\w+)\}", template)) <= set(files["environment"])
    readme = (ROOT / "README.md").read_text()
    assert "docker compose -f docker-compose.yml -f docker-compose.node2.yml up -d" in readme
    for name in (*NODE2_SERVICES, "seedbox2"):
        assert f"`{name}`" in readme, f"README's Production section does not name {name}"


def test_the_second_nodes_health_check_reaches_its_scgi_on_a_socket_or_on_tcp(rtorrent):
    test = node2()["services"]["rtorrent2"]["healthcheck"]["test"]
    assert test[0] == "CMD"

    def healthy(url: str) -> bool:
        env = {**os.environ, "SEEDBOX_RTORRENT_URL": url}
        return subprocess.run(test[1:], env=env, capture_output=True, timeout=30).returncode == 0

    assert healthy(rtorrent.config.url)  # the real daemon's socket
    assert not healthy(f"scgi://{rtorrent.config.base_dir}/no-such.sock")
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        tcp = f"scgi://127.0.0.1:{listening.getsockname()[1]}"
        assert healthy(tcp)
    assert not healthy(tcp)


def test_only_nginx_and_the_peer_ports_are_published():
    published = {name: service.get("ports", []) for name, service in compose()["services"].items()}
    assert {name for name, ports in published.items() if ports} == {"nginx", "rtorrent"}
    assert all("51001-51010" in port for port in published["rtorrent"])
    web = compose()["services"]["web"]
    assert web["environment"]["SEEDBOX_ACCEL_REDIRECT"] == "/protected/"
    assert "rpc.sock" in web["environment"]["SEEDBOX_RTORRENT_URL"]  # a socket, no TCP port


def test_the_image_is_multi_stage_and_runs_as_a_user_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2
    assert re.search(r"^USER seedbox$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile
    assert "build-essential" not in dockerfile.split("FROM ")[2]  # no compilers at run time


def test_env_example_lists_every_setting():
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = env_example.names() - listed
    assert not missing, "run `.venv/bin/python scripts/env_example.py`: " + ", ".join(
        sorted(missing)
    )


def test_check_deploy_is_clean_with_the_example_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SEEDBOX_", "DJANGO_", "SECURE_", "DATABASE_URL"))
    }
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        SEEDBOX_VAR_DIR=str(tmp_path / "var"),
        SEEDBOX_TRUSTED_PROXIES="1",
        SEEDBOX_ACCEL_REDIRECT="/protected/",
    )
    env.pop("EMAIL_URL")  # an SMTP server the check would not reach anyway
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout

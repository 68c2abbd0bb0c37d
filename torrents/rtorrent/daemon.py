"""A managed rTorrent: its rc written from a config, the process started, watched and stopped.

Used by `manage.py rtorrentd` (and so by `runseedbox`) and by the test suite, which starts one
daemon per test scenario on its own 127.0.0.x address (two daemons on one IP never connect).
"""

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from torrents.rtorrent.client import RTorrentClient
from torrents.rtorrent.errors import RTorrentError


class DaemonError(Exception):
    """The daemon cannot be started: a clear reason for a person."""


@dataclass
class DaemonConfig:
    base_dir: Path
    data_dir: Path
    binary: str = "rtorrent"
    port_range: str = "51001-51010"
    bind_address: str = ""
    dht: bool = False
    pex: bool = False
    max_open_files: int = 4096
    # "host:port" for SCGI over TCP instead of the unix socket (rTorrent opens only one).
    scgi_tcp: str = ""
    extra_lines: list[str] = field(default_factory=list)

    @property
    def session_dir(self) -> Path:
        return self.base_dir / "session"

    @property
    def socket_path(self) -> Path:
        return self.base_dir / "rpc.sock"

    @property
    def rc_path(self) -> Path:
        return self.base_dir / "rtorrent.rc"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "rtorrent.log"

    @property
    def url(self) -> str:
        return f"scgi://{self.scgi_tcp}" if self.scgi_tcp else f"scgi://{self.socket_path}"


def render_rc(config: DaemonConfig) -> str:
    """The rc file for a headless rTorrent (see shared/RTORRENT.md for why each line is there)."""
    lines = [
        f"session.path.set = {config.session_dir}",
        f"directory.default.set = {config.data_dir}",
        "system.daemon.set = true",
        *(
            [f"network.scgi.open_port = {config.scgi_tcp}"]
            if config.scgi_tcp
            else [
                f"network.scgi.open_local = {config.socket_path}",
                f"execute.nothrow = chmod,770,{config.socket_path}",
            ]
        ),
        f"network.port_range.set = {config.port_range}",
        "network.port_random.set = no",
        "network.xmlrpc.size_limit.set = 16M",
        f"network.max_open_files.set = {config.max_open_files}",
        f"dht.mode.set = {'auto' if config.dht else 'disable'}",
        f"protocol.pex.set = {'yes' if config.pex else 'no'}",
        "trackers.use_udp.set = yes",
        "pieces.hash.on_completion.set = no",
        f"log.open_file = main, {config.log_path}",
        "log.add_output = info, main",
    ]
    if config.bind_address:
        lines += [
            f"network.bind_address.set = {config.bind_address}",
            f"network.local_address.set = {config.bind_address}",
        ]
    return "\n".join(lines + list(config.extra_lines)) + "\n"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rtorrent_lock_pid(session_dir: Path) -> int | None:
    """The PID in rTorrent's own session lock (`host:+PID`), when that process is alive."""
    try:
        content = (session_dir / "rtorrent.lock").read_text().strip()
    except OSError:
        return None
    host, _, pid = content.rpartition(":+")
    if not pid.isdigit() or host != socket.gethostname():
        return None
    return int(pid) if _pid_alive(int(pid)) else None


class ManagedRTorrent:
    """One rTorrent process. `start()` refuses when another holds the same session dir."""

    def __init__(self, config: DaemonConfig):
        self.config = config
        self.process: subprocess.Popen | None = None
        self._lock_file = None

    def _acquire_lock(self) -> None:
        self.config.session_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.config.base_dir / "rtorrentd.lock"
        lock_file = open(lock_path, "a+")  # noqa: SIM115 (held for the daemon's life)
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            owner = lock_file.read().strip() or "another process"
            lock_file.close()
            raise DaemonError(
                f"rTorrent is already running on session dir {self.config.session_dir} "
                f"(managed by pid {owner}); stop it first."
            ) from None
        other = _rtorrent_lock_pid(self.config.session_dir)
        if other:
            lock_file.close()
            raise DaemonError(
                f"rTorrent pid {other} already holds session dir {self.config.session_dir}; "
                "stop it first (a second one would take over its RPC socket)."
            )
        lock_file.truncate(0)
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        self._lock_file = lock_file

    def _release_lock(self) -> None:
        if self._lock_file:
            self._lock_file.close()
            self._lock_file = None

    def start(self, *, ready_timeout: float = 15.0) -> None:
        binary = shutil.which(self.config.binary)
        if not binary:
            raise DaemonError(
                f"{self.config.binary} not found; install it with: apt-get install -y rtorrent"
            )
        self._acquire_lock()
        try:
            self.config.data_dir.mkdir(parents=True, exist_ok=True)
            self.config.rc_path.write_text(render_rc(self.config))
            self.config.socket_path.unlink(missing_ok=True)
            self.process = subprocess.Popen(
                [binary, "-n", "-o", f"import={self.config.rc_path}"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=open(self.config.base_dir / "rtorrent.stderr", "wb"),  # noqa: SIM115
                env={
                    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "HOME": str(self.config.base_dir),
                },
            )
            self.wait_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, timeout: float) -> str:
        """Wait until the RPC socket answers; return the rTorrent version."""
        client = RTorrentClient(self.config.url, timeout=1.0)
        deadline = time.monotonic() + timeout
        while True:
            if self.process and self.process.poll() is not None:
                raise DaemonError(
                    f"rTorrent exited with code {self.process.returncode} while starting: "
                    f"{self._startup_complaint()}"
                )
            try:
                return client.version()
            except RTorrentError:
                if time.monotonic() > deadline:
                    raise DaemonError(
                        f"rTorrent did not answer on {self.config.socket_path} within {timeout}s"
                    ) from None
                time.sleep(0.05)

    def _startup_complaint(self) -> str:
        """What rTorrent said about failing: its stderr, else the log's critical lines."""
        err = (self.config.base_dir / "rtorrent.stderr").read_text(errors="replace").strip()
        if err:
            return err
        try:
            log = self.config.log_path.read_text(errors="replace").splitlines()
        except OSError:
            log = []
        critical = [line.split(" ", 2)[-1] for line in log if " C " in line]
        return "; ".join(critical) or f"see {self.config.log_path}"

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL. Returns the exit code (None if it never started)."""
        code = None
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            code = self.process.returncode
        self._release_lock()
        return code

"""A small process supervisor for `runseedbox`: start children in order, prefix their output,
restart a child that dies (with backoff, said in the log and in a status file that health reads),
and stop them all (in reverse order) on one Ctrl-C.

One death is not an outage: Redis, rTorrent or the worker dying is survivable, the others keep
serving while it comes back. Only a child that keeps dying fast (`RestartPolicy.max_deaths`
deaths within `window` seconds) stops the stack, since restarting it again would hide a fault
that needs a person. A failure while the stack starts is fatal at once: that is a configuration
error to fix, not a crash to ride out."""

import collections
import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ChildSpec:
    name: str
    argv: list[str]
    ready: Callable[[], bool] | None = None
    ready_timeout: float = 60.0
    stop_timeout: float = 20.0


@dataclass(frozen=True)
class RestartPolicy:
    """The n-th death within `window` seconds waits backoff_initial * 2**(n-1) (at most
    backoff_max) before the restart; the `max_deaths`-th stops the stack."""

    backoff_initial: float = 1.0
    backoff_max: float = 30.0
    max_deaths: int = 5
    window: float = 60.0

    def delay(self, deaths: int) -> float:
        return min(self.backoff_max, self.backoff_initial * 2 ** max(0, deaths - 1))


class ChildFailed(Exception):
    pass


@dataclass
class _Child:
    spec: ChildSpec
    process: subprocess.Popen | None = None
    deaths: collections.deque = field(default_factory=collections.deque)
    restarts: int = 0
    restart_at: float = 0.0
    last_exit: str | None = None
    last_exit_at: str | None = None


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-returncode).name}"
        return f"killed by signal {-returncode}"
    return f"exited with code {returncode}"


class Supervisor:
    def __init__(
        self,
        specs: list[ChildSpec],
        *,
        out=None,
        policy: RestartPolicy | None = None,
        status_path: Path | None = None,
    ):
        self.specs = specs
        self.out = out or sys.stdout
        self.policy = policy or RestartPolicy()
        self.status_path = Path(status_path) if status_path else None
        self._children: list[_Child] = []
        self._stop = threading.Event()
        self._write_lock = threading.Lock()
        self._started = time.time()

    @property
    def children(self) -> list[tuple[ChildSpec, subprocess.Popen]]:
        """(spec, current process) of every child started, in start order."""
        return [(child.spec, child.process) for child in self._children if child.process]

    def say(self, message: str) -> None:
        with self._write_lock:
            self.out.write(f"seedbox | {message}\n")
            self.out.flush()

    def stop(self) -> None:
        """Ask `run` to stop everything (what SIGINT and SIGTERM do)."""
        self._stop.set()

    def _pump(self, name: str, stream) -> None:
        width = max(len(s.name) for s in self.specs)
        for raw in iter(stream.readline, b""):
            with self._write_lock:
                self.out.write(f"{name:<{width}} | {raw.decode(errors='replace').rstrip()}\n")
                self.out.flush()
        stream.close()

    def _spawn(self, child: _Child) -> subprocess.Popen:
        # Own session: a Ctrl-C reaches only us, and we stop the children in order.
        process = subprocess.Popen(
            child.spec.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(
            target=self._pump, args=(child.spec.name, process.stdout), daemon=True
        ).start()
        child.process = process
        return process

    def _wait_ready(self, spec: ChildSpec, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + spec.ready_timeout
        while not self._stop.is_set():
            if process.poll() is not None:
                raise ChildFailed(f"{spec.name} {describe_exit(process.returncode)} while starting")
            if spec.ready is None or spec.ready():
                return
            if time.monotonic() > deadline:
                raise ChildFailed(f"{spec.name} was not ready within {spec.ready_timeout:.0f}s")
            time.sleep(0.1)

    def _request_stop(self, signum, frame) -> None:
        if not self._stop.is_set():
            self.say(f"got {signal.Signals(signum).name}, stopping everything")
        self._stop.set()

    def run(self, on_ready: Callable[[], None] | None = None) -> int:
        # Signal handlers can only be installed from the main thread (tests run us in another).
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._request_stop)
            signal.signal(signal.SIGTERM, self._request_stop)
        failure = None
        self._started = time.time()
        try:
            for spec in self.specs:
                if self._stop.is_set():
                    break
                self.say(f"starting {spec.name}")
                child = _Child(spec)
                self._children.append(child)
                self._wait_ready(spec, self._spawn(child))
                self._write_status()
            if not self._stop.is_set() and on_ready:
                on_ready()
            while not self._stop.wait(0.2):
                for child in self._children:
                    self._watch(child)
        except ChildFailed as exc:
            failure = str(exc)
            self.say(f"ERROR: {failure}; stopping the others")
        finally:
            self.stop_all()
        return 1 if failure else 0

    def _watch(self, child: _Child) -> None:
        """Notice a death (the process is reaped here, so it never lingers as a zombie), then
        restart it once its backoff has passed."""
        now = time.monotonic()
        process = child.process
        if process is not None and process.poll() is not None:
            # Whatever it left in its group (worker pool processes) goes with it.
            _signal_group(process, signal.SIGKILL)
            child.process = None
            child.last_exit = describe_exit(process.returncode)
            child.last_exit_at = _now_iso()
            child.deaths.append(now)
            while child.deaths and now - child.deaths[0] > self.policy.window:
                child.deaths.popleft()
            deaths = len(child.deaths)
            if deaths >= self.policy.max_deaths:
                self._write_status()
                raise ChildFailed(
                    f"{child.spec.name} {child.last_exit}; it died {deaths} times within "
                    f"{self.policy.window:.0f}s, giving up"
                )
            delay = self.policy.delay(deaths)
            child.restart_at = now + delay
            self.say(
                f"WARNING: {child.spec.name} {child.last_exit}; restarting it in {delay:g}s "
                f"({deaths} death(s) within {self.policy.window:.0f}s, "
                f"{self.policy.max_deaths} stop the stack)"
            )
            self._write_status()
        elif process is None and now >= child.restart_at:
            child.restarts += 1
            self.say(f"restarting {child.spec.name} (restart {child.restarts})")
            self._spawn(child)
            self._write_status()

    def status(self) -> dict:
        children = {}
        for child in self._children:
            running = child.process is not None and child.process.poll() is None
            entry = {
                "state": "running" if running else "restarting",
                "pid": child.process.pid if running else None,
                "restarts": child.restarts,
            }
            if child.last_exit:
                entry["last_exit"] = child.last_exit
                entry["last_exit_at"] = child.last_exit_at
            children[child.spec.name] = entry
        return {
            "pid": os.getpid(),
            "started": self._started,
            "updated": _now_iso(),
            "children": children,
        }

    def _write_status(self) -> None:
        """Atomically, so that a reader never sees half a file."""
        if self.status_path is None:
            return
        self.status_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.status_path.with_name(self.status_path.name + ".tmp")
        temporary.write_text(json.dumps(self.status(), indent=1))
        os.replace(temporary, self.status_path)

    def stop_all(self) -> None:
        for child in reversed(self._children):
            process = child.process
            if process is None:
                continue
            if process.poll() is None:
                self.say(f"stopping {child.spec.name}")
                _signal_group(process, signal.SIGTERM)
                try:
                    process.wait(child.spec.stop_timeout)
                except subprocess.TimeoutExpired:
                    self.say(
                        f"{child.spec.name} did not stop in {child.spec.stop_timeout:.0f}s; "
                        "killing it"
                    )
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
            # Whatever the child left in its group (worker pool processes) goes too.
            _signal_group(process, signal.SIGKILL)
        if self.status_path is not None:
            self.status_path.unlink(missing_ok=True)
        self.say("all stopped")


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)

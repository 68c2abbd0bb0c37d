"""A small process supervisor for `runseedbox`: start children in order, prefix their output,
report the first one that dies, and stop them all (in reverse order) on one Ctrl-C."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class ChildSpec:
    name: str
    argv: list[str]
    ready: Callable[[], bool] | None = None
    ready_timeout: float = 60.0
    stop_timeout: float = 20.0


class ChildFailed(Exception):
    pass


class Supervisor:
    def __init__(self, specs: list[ChildSpec], *, out=None):
        self.specs = specs
        self.out = out or sys.stdout
        self.children: list[tuple[ChildSpec, subprocess.Popen]] = []
        self._stop = threading.Event()
        self._write_lock = threading.Lock()

    def say(self, message: str) -> None:
        with self._write_lock:
            self.out.write(f"seedbox | {message}\n")
            self.out.flush()

    def _pump(self, name: str, stream) -> None:
        width = max(len(s.name) for s in self.specs)
        for raw in iter(stream.readline, b""):
            with self._write_lock:
                self.out.write(f"{name:<{width}} | {raw.decode(errors='replace').rstrip()}\n")
                self.out.flush()
        stream.close()

    def _start(self, spec: ChildSpec) -> subprocess.Popen:
        # Own session: a Ctrl-C reaches only us, and we stop the children in order.
        process = subprocess.Popen(
            spec.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(target=self._pump, args=(spec.name, process.stdout), daemon=True).start()
        self.children.append((spec, process))
        return process

    def _wait_ready(self, spec: ChildSpec, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + spec.ready_timeout
        while not self._stop.is_set():
            if process.poll() is not None:
                raise ChildFailed(
                    f"{spec.name} exited with code {process.returncode} while starting"
                )
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
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        failure = None
        try:
            for spec in self.specs:
                if self._stop.is_set():
                    break
                self.say(f"starting {spec.name}")
                self._wait_ready(spec, self._start(spec))
            if not self._stop.is_set() and on_ready:
                on_ready()
            while not self._stop.wait(0.2):
                for spec, process in self.children:
                    if process.poll() is not None:
                        raise ChildFailed(f"{spec.name} exited with code {process.returncode}")
        except ChildFailed as exc:
            failure = str(exc)
            self.say(f"ERROR: {failure}; stopping the others")
        finally:
            self.stop_all()
        return 1 if failure else 0

    def stop_all(self) -> None:
        for spec, process in reversed(self.children):
            if process.poll() is None:
                self.say(f"stopping {spec.name}")
                _signal_group(process, signal.SIGTERM)
                try:
                    process.wait(spec.stop_timeout)
                except subprocess.TimeoutExpired:
                    self.say(f"{spec.name} did not stop in {spec.stop_timeout:.0f}s; killing it")
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
            # Whatever the child left in its group (worker pool processes) goes too.
            _signal_group(process, signal.SIGKILL)
        self.say("all stopped")


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)

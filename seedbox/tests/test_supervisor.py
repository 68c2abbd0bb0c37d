"""The supervisor behind `runseedbox` on real child processes: ordered start, a dying child
restarted with backoff and reported, a child that keeps dying stops the stack, clean stop."""

import io
import json
import os
import signal
import sys
import threading
import time

from seedbox.supervisor import ChildSpec, RestartPolicy, Supervisor

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone once reaped, which the supervisor does.
    return True


FAST = RestartPolicy(backoff_initial=0.2, backoff_max=1.0, max_deaths=5, window=60)


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class InThread:
    """Run a supervisor in a thread (no signal handlers there); `stop()` ends it."""

    def __init__(self, supervisor: Supervisor):
        self.supervisor = supervisor
        self.result: dict = {}
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        self.result["code"] = self.supervisor.run(on_ready=self.ready.set)

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.supervisor.stop()
        self.thread.join(30)


def _pid(supervisor: Supervisor, name: str) -> int | None:
    for spec, process in supervisor.children:
        if spec.name == name and process.poll() is None:
            return process.pid
    return None


def test_a_child_killed_is_restarted_reported_and_the_others_keep_running(tmp_path):
    out = io.StringIO()
    status = tmp_path / "supervisor.json"
    supervisor = Supervisor(
        [ChildSpec("steady", SLEEPER), ChildSpec("victim", SLEEPER)],
        out=out,
        policy=FAST,
        status_path=status,
    )
    with InThread(supervisor) as running:
        steady = _pid(supervisor, "steady")
        victim = _pid(supervisor, "victim")
        os.kill(victim, signal.SIGKILL)

        _wait_for(lambda: _pid(supervisor, "victim") not in (None, victim))
        _wait_for(lambda: json.loads(status.read_text())["children"]["victim"]["restarts"] == 1)

        assert _pid(supervisor, "steady") == steady, "one death never stops the others"
        assert not _alive(victim), "the dead child was reaped, not left a zombie"
        report = json.loads(status.read_text())
        assert report["pid"] == os.getpid()
        assert report["children"]["victim"]["state"] == "running"
        assert report["children"]["victim"]["last_exit"] == "killed by SIGKILL"
        assert report["children"]["steady"] == {
            "state": "running",
            "pid": steady,
            "restarts": 0,
        }
    assert running.result["code"] == 0
    assert "WARNING: victim killed by SIGKILL; restarting it in" in out.getvalue()
    assert "restarting victim (restart 1)" in out.getvalue()
    assert not status.exists(), "a stopped stack leaves no status behind"


def test_restarts_back_off():
    out = io.StringIO()
    policy = RestartPolicy(backoff_initial=0.5, backoff_max=2.0, max_deaths=10, window=60)
    # It dies soon after it started, not while starting: a child that has already exited at
    # the supervisor's first look (a loaded machine can take that long to look) fails the start.
    flaky = [sys.executable, "-c", "import time; time.sleep(0.2)"]
    supervisor = Supervisor(
        [ChildSpec("steady", SLEEPER), ChildSpec("flaky", flaky)],
        out=out,
        policy=policy,
    )
    with InThread(supervisor):
        _wait_for(lambda: "restarting flaky (restart 3)" in out.getvalue(), timeout=30)
    text = out.getvalue()
    assert text.index("restarting it in 0.5s") < text.index("restarting it in 1s")
    assert text.index("restarting it in 1s") < text.index("restarting it in 2s")
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 2.0, 2.0]


def test_a_child_that_keeps_dying_fast_stops_the_stack_with_a_clear_message():
    out = io.StringIO()
    supervisor = Supervisor(
        [
            ChildSpec("steady", SLEEPER),
            ChildSpec(
                "flaky", [sys.executable, "-c", "import time, sys; time.sleep(0.3); sys.exit(3)"]
            ),
        ],
        out=out,
        policy=RestartPolicy(backoff_initial=0.1, backoff_max=0.2, max_deaths=3, window=60),
    )

    started = time.monotonic()
    code = supervisor.run()

    assert code == 1
    assert time.monotonic() - started < 15
    assert (
        "ERROR: flaky exited with code 3; it died 3 times within 60s, giving up" in out.getvalue()
    )
    steady = supervisor.children[0][1]
    assert steady.poll() is not None, "the healthy child is stopped too"


def test_a_child_that_fails_while_the_stack_starts_stops_it():
    out = io.StringIO()
    supervisor = Supervisor(
        [
            ChildSpec("steady", SLEEPER),
            ChildSpec(
                "broken", [sys.executable, "-c", "import sys; sys.exit(3)"], ready=lambda: False
            ),
        ],
        out=out,
    )

    assert supervisor.run() == 1
    assert "broken exited with code 3 while starting" in out.getvalue()
    steady = supervisor.children[0][1]
    assert steady.poll() is not None


def test_sigint_stops_every_child_in_reverse_order():
    out = io.StringIO()
    supervisor = Supervisor([ChildSpec("first", SLEEPER), ChildSpec("second", SLEEPER)], out=out)
    ready = threading.Event()
    result = {}

    def run():
        result["code"] = supervisor.run(on_ready=ready.set)

    # Signal handlers can only be installed from the main thread: run there, interrupt from here.
    def interrupt():
        ready.wait(10)
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    previous = signal.getsignal(signal.SIGINT)
    try:
        run()
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    assert result["code"] == 0
    text = out.getvalue()
    assert text.index("stopping second") < text.index("stopping first")
    assert "first  | up" in text
    for _, process in supervisor.children:
        assert process.returncode is not None
        assert not _alive(process.pid) or process.poll() is not None


def test_a_child_that_never_gets_ready_fails_the_start():
    out = io.StringIO()
    supervisor = Supervisor(
        [ChildSpec("slow", SLEEPER, ready=lambda: False, ready_timeout=0.5)], out=out
    )
    assert supervisor.run() == 1
    assert "slow was not ready within" in out.getvalue()

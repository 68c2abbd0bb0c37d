"""The supervisor behind `runseedbox`: ordered start, a dying child reported, clean stop."""

import io
import os
import signal
import sys
import threading
import time

from seedbox.supervisor import ChildSpec, Supervisor

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone once reaped, which the supervisor does.
    return True


def test_a_child_that_dies_is_reported_and_the_others_stopped():
    out = io.StringIO()
    supervisor = Supervisor(
        [
            ChildSpec("steady", SLEEPER),
            ChildSpec("flaky", [sys.executable, "-c", "import sys; sys.exit(3)"]),
        ],
        out=out,
    )

    code = supervisor.run()

    assert code == 1
    assert "flaky exited with code 3" in out.getvalue()
    steady = supervisor.children[0][1]
    assert steady.poll() is not None, "the healthy child is stopped too"


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

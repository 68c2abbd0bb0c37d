"""Undoing what a failed request did outside the database.

The intake runs one request as one transaction (each item a savepoint), so the database forgets a
failed item, or a failed request, by itself; files moved into a torrent's directory are not
rolled back by anyone. A service that puts a file in place registers how to take it away with
`on_rollback`; `rollback_scope` runs those actions, newest first, when its block raises, and
otherwise hands them to the enclosing scope, so a later failure of the request still undoes them.
"""

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar

log = logging.getLogger(__name__)

_actions: ContextVar[list[Callable[[], None]] | None] = ContextVar("rollback_actions", default=None)


def on_rollback(action: Callable[[], None]) -> None:
    """Run `action` if the enclosing scope fails (nothing happens outside a scope)."""
    actions = _actions.get()
    if actions is not None:
        actions.append(action)


@contextlib.contextmanager
def rollback_scope() -> Iterator[None]:
    actions: list[Callable[[], None]] = []
    token = _actions.set(actions)
    try:
        yield
    except BaseException:
        for action in reversed(actions):
            try:
                action()
            except OSError:  # undo what can be undone; the original error is the one to see
                log.exception("could not undo a step of a failed request")
        raise
    finally:
        _actions.reset(token)
    outer = _actions.get()
    if outer is not None:
        outer.extend(actions)

"""Who handles which kind of event. A handler is a function `handler(event) -> None`, registered
with `@handles(EventKind.X, ...)` in its app's `handlers.py`, which the app's AppConfig.ready()
imports (so the registry is complete in every process before the first dispatch).

A handler runs in a transaction with the row that marks it done (events/models.py): its database
work happens exactly once. Work outside the database (a mail, an HTTP call, rTorrent) must be
idempotent or be handed to a task by writing a row the task works from (a delivery)."""

from collections.abc import Callable

from events.kinds import EventKind
from events.models import Event

Handler = Callable[[Event], None]

_HANDLERS: dict[str, dict[str, Handler]] = {}


def handler_name(func: Handler) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def handles(*kinds: EventKind) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for kind in kinds:
            _HANDLERS.setdefault(str(kind), {})[handler_name(func)] = func
        return func

    return register


def handlers_for(kind: str) -> dict[str, Handler]:
    """{name: handler} for `kind`, in registration order."""
    return dict(_HANDLERS.get(kind, {}))

"""What every channel's sender is: who its targets are, how it sends one delivery, and the
error that has a delivery retried (or given up when `permanent`)."""

from collections.abc import Callable
from dataclasses import dataclass


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Sender:
    # The targets of one user on this channel (ids; [0] for a channel with one implicit target).
    targets: Callable[[object], list[int]]
    # Send one delivery (notifications.models.Delivery); raise DeliveryFailed on failure.
    send: Callable[[object], None]
    # Called once when a delivery is given up (to count failures and disable a target).
    given_up: Callable[[object, str], None] | None = None

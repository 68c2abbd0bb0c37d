"""Where each user stopped in each file: saved by the player while it plays, offered back as
"resume from mm:ss" when they open the file again (unless they had about finished it)."""

import math

from media.models import PlaybackPosition
from torrents.models import TorrentFile

MAX_SECONDS = 7 * 24 * 3600.0  # no file plays for a week: a bigger number is a bug or a probe
RESUME_AFTER_SECONDS = 5.0  # closer to the start, there is nothing to resume
FINISHED_WITHIN_SECONDS = 15.0  # closer to the end (credits), it was watched: start over
FINISHED_FRACTION = 0.97


class PositionError(ValueError):
    """A position that cannot be (negative, not a number, past the end)."""


def _seconds(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PositionError(f"{what} must be a number of seconds")
    value = float(value)
    if not math.isfinite(value) or value < 0 or value > MAX_SECONDS:
        raise PositionError(f"{what} must be between 0 and {MAX_SECONDS:.0f} seconds")
    return value


def position_save(
    *, user, file: TorrentFile, position_seconds: float, duration_seconds: float | None = None
) -> PlaybackPosition:
    """Keep where `user` is in `file` (one row per user and file, replaced each time)."""
    position = _seconds(position_seconds, "position_seconds")
    duration = None
    if duration_seconds is not None:
        duration = _seconds(duration_seconds, "duration_seconds")
        if duration <= 0:
            raise PositionError("duration_seconds must be more than 0")
        if position > duration + 1:  # a second of slack: players round the last frame
            raise PositionError("position_seconds is past the end (duration_seconds)")
    saved, _ = PlaybackPosition.objects.update_or_create(
        user=user,
        file=file,
        defaults={"position_seconds": position, "duration_seconds": duration},
    )
    return saved


def resume_point(*, position_seconds: float, duration_seconds: float | None) -> float | None:
    """Where to resume from, or None: near the start, or (about) finished."""
    if position_seconds < RESUME_AFTER_SECONDS:
        return None
    if duration_seconds:
        # The credits of a film; a short clip's last tenth.
        margin = min(FINISHED_WITHIN_SECONDS, duration_seconds * 0.1)
        near_end = duration_seconds - position_seconds <= margin
        if near_end or position_seconds >= duration_seconds * FINISHED_FRACTION:
            return None
    return position_seconds

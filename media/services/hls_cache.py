"""The HLS cache under SEEDBOX_HLS_DIR: one directory per Encode, kept under
SEEDBOX_HLS_CACHE_MAX by evicting the encodes used least recently first (never a running one).

`Encode.last_used_at` is set when a playlist or segment is served, at most every TOUCH_EVERY
seconds per encode (a player asks for a segment every few seconds: one UPDATE a minute is
enough to order the cache). Eviction runs in the beat task and after each encode starts.
"""

import datetime as dt
import shutil
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from media.models import Encode, EncodeStatus

TOUCH_EVERY = 60


def encode_directory(encode: Encode) -> Path:
    """Where the encode's playlist and segments are (inside SEEDBOX_HLS_DIR)."""
    return Path(settings.SEEDBOX_HLS_DIR) / encode.directory


def directory_size(directory: Path) -> int:
    try:
        return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())
    except OSError:
        return 0


def encode_touch(*, encode: Encode) -> None:
    """Note that `encode` was just used (throttled to one write per TOUCH_EVERY seconds)."""
    now = timezone.now()
    if encode.last_used_at and now - encode.last_used_at < dt.timedelta(seconds=TOUCH_EVERY):
        return
    Encode.objects.filter(pk=encode.pk).update(last_used_at=now)
    encode.last_used_at = now


def hls_cache_evict(*, max_bytes: int | None = None) -> list[int]:
    """Delete finished encodes (done or failed), least recently used first, until the cache
    holds at most `max_bytes` (SEEDBOX_HLS_CACHE_MAX); the ids deleted. Running encodes count
    toward the total but are never deleted."""
    cap = settings.SEEDBOX_HLS_CACHE_MAX if max_bytes is None else max_bytes
    encodes = list(Encode.objects.order_by("last_used_at", "pk"))
    running = EncodeStatus.RUNNING
    sizes = {
        e.pk: directory_size(encode_directory(e)) if e.status == running else e.size_bytes
        for e in encodes
    }
    total = sum(sizes.values())
    evicted = []
    for encode in encodes:
        if total <= cap:
            break
        if encode.status == EncodeStatus.RUNNING:
            continue
        # Only if nobody used or restarted it since it was read.
        gone, _ = Encode.objects.filter(
            pk=encode.pk, status=encode.status, last_used_at=encode.last_used_at
        ).delete()
        if not gone:
            continue
        shutil.rmtree(encode_directory(encode), ignore_errors=True)
        total -= sizes[encode.pk]
        evicted.append(encode.pk)
    return evicted

"""The upload temp dir (`FILE_UPLOAD_TEMP_DIR`, `.incoming` by default): what a killed web worker
leaves there is cleaned at start and periodically.

Django streams each uploaded file to `tmp*.upload*` there, and the data-only way in builds its
torrent in a `create-*` folder; both go once the request is done, but not when the process is
killed mid-request. A file still being written keeps a fresh modification time, so "stale" is
"not written to for SEEDBOX_INCOMING_STALE_AFTER seconds".
"""

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

# Only what the site itself puts there (Django's temporary uploads, the site's staging folders).
PATTERNS = ("tmp*.upload*", "create-*")


@dataclass
class CleanReport:
    removed: int = 0
    freed_bytes: int = 0
    kept: int = 0


def _newest_write(path: Path) -> tuple[float, int]:
    """(newest modification time, total bytes) of a file or of everything in a folder."""
    if not path.is_dir():
        stat = path.stat()
        return stat.st_mtime, stat.st_size
    newest, size = path.stat().st_mtime, 0
    for item in path.rglob("*"):
        stat = item.lstat()
        newest = max(newest, stat.st_mtime)
        size += stat.st_size if item.is_file() else 0
    return newest, size


def incoming_clean(
    *, stale_after: float | None = None, directory: Path | None = None
) -> CleanReport:
    """Remove the site's temporary uploads not written to for `stale_after` seconds."""
    directory = Path(directory or settings.FILE_UPLOAD_TEMP_DIR)
    stale_after = settings.SEEDBOX_INCOMING_STALE_AFTER if stale_after is None else stale_after
    cutoff = time.time() - stale_after
    report = CleanReport()
    for pattern in PATTERNS:
        for path in directory.glob(pattern):
            try:
                newest, size = _newest_write(path)
                if newest > cutoff:
                    report.kept += 1
                    continue
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            except FileNotFoundError:  # its request finished meanwhile
                continue
            except OSError as exc:
                log.warning("could not remove the stale upload %s: %s", path, exc)
                continue
            report.removed += 1
            report.freed_bytes += size
    if report.removed:
        log.info(
            "removed %d stale uploads (%d bytes) from %s",
            report.removed,
            report.freed_bytes,
            directory,
        )
    return report

"""Celery tasks of the torrents app (found by autodiscover through this package).

Tasks take ids, are safe to run twice, declare their retries, and call services.
Each area adds its module here: push (intake), sync (sync and history).
"""

from torrents.tasks import (
    fetch,  # noqa: F401  (registers the fetch of a .torrent by URL)
    file_priorities,  # noqa: F401  (registers the task applying owners' file priorities)
    maintenance,  # noqa: F401  (registers the clean-up of stale uploads)
    move,  # noqa: F401  (registers the move of a torrent to another node)
    push,  # noqa: F401  (registers the push and reconcile tasks)
    sync,  # noqa: F401  (registers the sync and purge tasks)
)

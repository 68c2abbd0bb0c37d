"""The task that tells rTorrent the files' priorities after an owner changed theirs."""

from celery import shared_task

from torrents.rtorrent import RTorrentUnavailable
from torrents.services.file_priorities import torrent_priorities_apply


@shared_task(
    autoretry_for=(RTorrentUnavailable,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def apply_file_priorities(torrent_id: int) -> str:
    # After the last retry `priorities_pending` stays set: the reconcile applies them later.
    return torrent_priorities_apply(torrent_id=torrent_id)

"""`manage.py media_backfill`: read the media of completed torrents that have none read yet
(those completed before the media app existed, or whose task was lost)."""

from django.core.management.base import BaseCommand

from media.services.metadata import metadata_queue, torrent_metadata_read, torrents_without_media


class Command(BaseCommand):
    help = "Probe (ffprobe, posters, names, TMDB) completed torrents that have no MediaFile rows."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="at most this many torrents")
        parser.add_argument(
            "--queue", action="store_true", help="queue a task per torrent instead of working here"
        )

    def handle(self, *args, limit: int | None = None, queue: bool = False, **options) -> None:
        ids = torrents_without_media(limit=limit)
        for torrent_id in ids:
            if queue:
                metadata_queue(torrent_id=torrent_id)
                self.stdout.write(f"torrent {torrent_id}: queued")
            else:
                outcome = torrent_metadata_read(torrent_id=torrent_id)
                self.stdout.write(f"torrent {torrent_id}: {outcome}")
        self.stdout.write(f"{len(ids)} torrent(s) {'queued' if queue else 'read'}")

"""torrent.failed: told to every owner when a torrent moves to `error` (the push refused by
rTorrent or the disk, a magnet's metadata refused or too big once it arrived), with the message
they see on the row. Called in the transaction that sets the status."""

from events.kinds import EventKind
from events.services import event_record
from torrents.models import Ownership, Torrent
from torrents.selectors import message_for_every_owner


def torrent_failed_record(*, torrent_id: int, message: str) -> None:
    torrent = Torrent.objects.filter(pk=torrent_id).only("pk", "name").first()
    if torrent is None:
        return
    owned = list(Ownership.objects.filter(torrent_id=torrent_id).values_list("user_id", "trackers"))
    urls = [url for _, trackers in owned for url in trackers or ()]
    event_record(
        EventKind.TORRENT_FAILED,
        torrent=torrent,
        users=[user_id for user_id, _ in owned],
        payload={
            "name": torrent.name,
            "torrent_id": torrent.pk,
            "message": message_for_every_owner(message, urls),
        },
    )

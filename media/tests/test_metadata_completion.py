"""The whole way from a real completion to the rows: a real rTorrent seeds a video made by
ffmpeg, the sync sees it complete and records the event, the event's dispatch (as the worker
runs it, from the real broker) queues the metadata task, and the task fills MediaFile and
MediaTitle."""

import shutil

import torf

from events.services import DISPATCH_TASK, event_dispatch
from media.models import MediaFile, MediaTitle
from media.services.metadata import METADATA_TASK
from media.tasks.metadata import torrent_metadata
from media.tests.metadata_support import media_dir, samples  # noqa: F401  (fixtures)
from notifications.tests.support import broker  # noqa: F401  (fixture)
from seedbox.testing import committed, wait_until
from torrents.models import Ownership, Torrent, TorrentFile, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.sync import node_sync
from torrents.storage import torrent_directory
from torrents.tests.intake_support import _broker_messages

NAME = "Big.Buck.Bunny.2008.720p.x264.mp4"


def _seeded_video(node, owner, source, scratch) -> Torrent:
    data = scratch / NAME
    shutil.copy(source, data)
    meta = torf.Torrent(path=data, trackers=["http://127.0.0.1:6969/announce"], piece_size=16384)
    meta.generate()
    torrent = Torrent.objects.create(
        info_hash=meta.infohash,
        name=NAME,
        size_bytes=data.stat().st_size,
        piece_length=16384,
        metainfo=meta.dump(),
        node=node,
        status=TorrentStatus.STOPPED,
        added_by=owner,
    )
    TorrentFile.objects.create(torrent=torrent, index=0, path=NAME, size_bytes=torrent.size_bytes)
    Ownership.objects.create(torrent=torrent, user=owner, charged_bytes=torrent.size_bytes)
    directory = torrent_directory(torrent)
    directory.mkdir(parents=True)
    shutil.copy(data, directory / NAME)
    node_client(node).load(
        meta.dump(), meta.infohash, start=True, commands=[f"d.directory.set={directory}"]
    )
    return torrent


def test_a_real_completion_ends_in_media_rows(node, owner, samples, media_dir, tmp_path, broker):  # noqa: F811
    torrent = _seeded_video(node, owner, samples["mp4"], tmp_path)
    client = node_client(node)
    wait_until(lambda: client.call("d.complete", torrent.info_hash.upper()) == 1, what="check")

    committed(lambda: node_sync(node=node))
    dispatches = [args for task, args, _ in _broker_messages() if task == DISPATCH_TASK]
    assert dispatches
    for args in dispatches:
        committed(lambda a=args: event_dispatch(event_id=a[0]))
    queued = [args for task, args, _ in _broker_messages() if task == METADATA_TASK]
    assert queued == [[torrent.pk]]

    torrent_metadata.run(*queued[0])
    media = MediaFile.objects.get(file__torrent=torrent)
    assert (media.kind, media.video_codec, media.width) == ("video", "h264", 320)
    assert media.poster
    title = MediaTitle.objects.get(torrent=torrent)
    assert (title.title, title.year, title.poster) == ("Big Buck Bunny", 2008, media.poster)

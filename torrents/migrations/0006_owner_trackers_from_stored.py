"""Each existing torrent's adder gets the announce URLs of the kept .torrent or magnet link on
their ownership, so that a public torrent announcing to every owner's URLs keeps theirs."""

import bencodepy
import torf
from django.db import migrations


def _stored_trackers(torrent) -> list[str]:
    try:
        if torrent.metainfo:
            top = bencodepy.decode(bytes(torrent.metainfo))
            urls = [u for tier in top.get(b"announce-list", []) for u in tier]
            urls += [top[b"announce"]] if b"announce" in top else []
            result = []
            for url in (u.decode("utf-8").strip() for u in urls):
                if url and url not in result:
                    result.append(url)
            return result
        if torrent.magnet_uri:
            return [str(u) for u in torf.Magnet.from_string(torrent.magnet_uri.strip()).tr]
    except Exception:  # a row that no longer parses keeps announcing as it does
        return []
    return []


def fill(apps, schema_editor):
    Torrent = apps.get_model("torrents", "Torrent")
    Ownership = apps.get_model("torrents", "Ownership")
    for torrent in Torrent.objects.only("id", "metainfo", "magnet_uri", "added_by_id").iterator():
        ownership = (
            Ownership.objects.filter(torrent_id=torrent.id, user_id=torrent.added_by_id).first()
            or Ownership.objects.filter(torrent_id=torrent.id).order_by("created_at", "pk").first()
        )
        if ownership is not None and not ownership.trackers:
            ownership.trackers = _stored_trackers(torrent)
            ownership.save(update_fields=["trackers"])


class Migration(migrations.Migration):
    dependencies = [("torrents", "0005_magnet_expiry_owner_trackers")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

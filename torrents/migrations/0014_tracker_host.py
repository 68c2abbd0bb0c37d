"""Each ownership gets `tracker_host`, the host of its owner's first announce URL (indexed for
the list's tracker filter and counts), filled from the announce URLs it already holds."""

from urllib.parse import urlsplit

from django.db import migrations, models


def _host(urls) -> str:
    # A copy of torrents.tracker_host.announce_host as it was written: a migration must not
    # change when the app's code does.
    for url in urls or ():
        try:
            host = urlsplit(str(url).strip()).hostname
        except ValueError:
            continue
        if host:
            return host.lower()[:255]
    return ""


def fill(apps, schema_editor):
    Ownership = apps.get_model("torrents", "Ownership")
    changed = []
    for ownership in Ownership.objects.only("id", "trackers").iterator(chunk_size=2000):
        host = _host(ownership.trackers)
        if host:
            ownership.tracker_host = host
            changed.append(ownership)
        if len(changed) >= 2000:
            Ownership.objects.bulk_update(changed, ["tracker_host"])
            changed = []
    Ownership.objects.bulk_update(changed, ["tracker_host"])


class Migration(migrations.Migration):
    dependencies = [("torrents", "0013_labels")]

    operations = [
        migrations.AddField(
            model_name="ownership",
            name="tracker_host",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.AddIndex(
            model_name="ownership",
            index=models.Index(fields=["user", "tracker_host"], name="ownership_user_tracker"),
        ),
        migrations.AddIndex(
            model_name="ownership",
            index=models.Index(
                fields=["tracker_host", "torrent"], name="ownership_tracker_torrent"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

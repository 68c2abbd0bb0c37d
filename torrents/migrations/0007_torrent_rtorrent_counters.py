from django.db import migrations, models
from django.db.models import F


def baselines_from_totals(apps, schema_editor):
    # Until now uploaded_bytes/downloaded_bytes held rTorrent's counters: they are the baselines.
    Torrent = apps.get_model("torrents", "Torrent")
    Torrent.objects.update(
        rtorrent_up_total=F("uploaded_bytes"), rtorrent_down_total=F("downloaded_bytes")
    )


class Migration(migrations.Migration):
    dependencies = [("torrents", "0006_owner_trackers_from_stored")]

    operations = [
        migrations.AddField(
            model_name="torrent",
            name="rtorrent_up_total",
            field=models.BigIntegerField(
                default=0, editable=False, help_text="rTorrent's d.up.total, last seen"
            ),
        ),
        migrations.AddField(
            model_name="torrent",
            name="rtorrent_down_total",
            field=models.BigIntegerField(
                default=0, editable=False, help_text="rTorrent's d.down.total, last seen"
            ),
        ),
        migrations.AlterField(
            model_name="torrent",
            name="uploaded_bytes",
            field=models.BigIntegerField(
                default=0, help_text="Uploaded while on this site: every delta the sync credited."
            ),
        ),
        migrations.AlterField(
            model_name="torrent",
            name="downloaded_bytes",
            field=models.BigIntegerField(
                default=0,
                help_text="Downloaded while on this site: every delta the sync credited.",
            ),
        ),
        migrations.RunPython(baselines_from_totals, migrations.RunPython.noop),
    ]

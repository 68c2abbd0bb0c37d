"""Per-owner file priorities (Ownership.file_priorities) and the flag that says rTorrent still has
to be told (Torrent.priorities_pending)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("torrents", "0011_speed_seeding"),
    ]

    operations = [
        migrations.AddField(
            model_name="ownership",
            name="file_priorities",
            field=models.TextField(
                blank=True,
                default="",
                help_text="This owner's choice per file (torrents/services/file_priorities.py).",
            ),
        ),
        migrations.AddField(
            model_name="torrent",
            name="priorities_pending",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name="torrentfile",
            name="priority",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="What rTorrent is asked for: the highest of the owners' choices "
                "(0 skip, 1 normal, 2 high).",
            ),
        ),
    ]

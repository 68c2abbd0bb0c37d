"""`Torrent.facets_at`: when something the list's counts depend on last changed, so that the
counts' cache outlives the sync's rate-only writes (existing rows get the migration's time)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("torrents", "0014_tracker_host"),
    ]

    operations = [
        migrations.AddField(
            model_name="torrent",
            name="facets_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddIndex(
            model_name="torrent",
            index=models.Index(fields=["facets_at"], name="torrent_facets_at"),
        ),
    ]

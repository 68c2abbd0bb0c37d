from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("torrents", "0008_list_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="torrent",
            name="stalled_since",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]

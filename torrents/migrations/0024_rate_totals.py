"""`RateTotal`: the totals bar's rates as each node's sync sums them, per owner and per node,
instead of summed from every torrent on each page after a sync. Empty until each node's next
sync that writes (a moving torrent reports new rates nearly every run: seconds,
SEEDBOX_SYNC_INTERVAL)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('torrents', '0023_search_words_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RateTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('down_rate', models.BigIntegerField(default=0)),
                ('up_rate', models.BigIntegerField(default=0)),
                ('node', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='torrents.node')),
                ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]

"""`Torrent.words_at`: when the words a search matches a torrent by last changed, what a
search's match is kept under (torrents/search's `SearchReads`), with an index for its latest.

Nullable and added to the database without `auto_now`, so that SQLite adds it with ALTER
TABLE ADD COLUMN: a column Django gives a default to (NOT NULL, or auto_now, whose default is
now) has it remake the table, which drops the ownership triggers of 0021. `auto_now` is in the
state only: it is Python's, the column is the same. The rows before it have none; the next
write of their words stamps them, and the version reads the latest stamp.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("torrents", "0022_sync_cheaper_writes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddField(
                    model_name="torrent",
                    name="words_at",
                    field=models.DateTimeField(null=True),
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="torrent",
                    name="words_at",
                    field=models.DateTimeField(auto_now=True, null=True),
                )
            ],
        ),
        migrations.AddIndex(
            model_name="torrent",
            index=models.Index(fields=["words_at"], name="torrent_words_at"),
        ),
    ]

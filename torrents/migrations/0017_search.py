"""Full-text search vectors on Postgres (torrents/search/): generated, stored tsvector columns
on torrents (name and search terms, weight A) and files (path), each with a GIN index. Not
model fields (see torrents/search/__init__.py); nothing to do on SQLite."""

from django.db import migrations

_NORMALIZED = "translate({}, '._-/\\', '     ')"  # separators as spaces, as query.py


def vector_sql(column: str) -> str:
    return f"to_tsvector('simple'::regconfig, {_NORMALIZED.format(column)})"


VECTOR_COLUMN = "search_vector"

_TORRENT = f"setweight({vector_sql('name')}, 'A') || setweight({vector_sql('search_terms')}, 'A')"
_FILE = vector_sql("path")
FORWARD = [
    f"ALTER TABLE torrents_torrent ADD COLUMN {VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({_TORRENT}) STORED",
    f"CREATE INDEX torrent_search ON torrents_torrent USING gin ({VECTOR_COLUMN})",
    f"ALTER TABLE torrents_torrentfile ADD COLUMN {VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({_FILE}) STORED",
    f"CREATE INDEX torrent_file_search ON torrents_torrentfile USING gin ({VECTOR_COLUMN})",
]
BACKWARD = [
    f"ALTER TABLE torrents_torrentfile DROP COLUMN {VECTOR_COLUMN}",
    f"ALTER TABLE torrents_torrent DROP COLUMN {VECTOR_COLUMN}",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("torrents", "0016_search_terms")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

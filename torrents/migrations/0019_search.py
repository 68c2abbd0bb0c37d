"""Full-text search on Postgres (torrents/search/): one document per torrent, `search_vector`,
a generated, stored tsvector of its name and search terms (weight A) and its files' paths
(weight C), GIN indexed. The paths come from `files_vector`, which a trigger on the files
table keeps (a generated column cannot read another table): every writer of files (intake,
magnet metadata) is covered, and the sync's UPDATEs, which touch neither, recompute nothing.
Each file has its own generated vector too (which files of a result matched). Not model
fields (see torrents/search/__init__.py); nothing to do on SQLite."""

from django.db import migrations

_NORMALIZED = "translate({}, '._-/\\', '     ')"  # separators as spaces, as query.py


def vector_sql(column: str) -> str:
    return f"to_tsvector('simple'::regconfig, {_NORMALIZED.format(column)})"


# A torrent's paths, at most this many characters of them: a tsvector holds at most 1 MB.
PATHS_MAX = 400_000
_TORRENT = (
    f"setweight({vector_sql('name')}, 'A') || setweight({vector_sql('search_terms')}, 'A')"
    " || setweight(files_vector, 'C')"
)
_FILES_OF = (
    f"SELECT coalesce({vector_sql(f'left(string_agg(f.path, {chr(39)} {chr(39)}), {PATHS_MAX})')},"
    " ''::tsvector) FROM torrents_torrentfile f WHERE f.torrent_id = t.id"
)
FORWARD = [
    "ALTER TABLE torrents_torrent ADD COLUMN files_vector tsvector NOT NULL DEFAULT ''",
    f"ALTER TABLE torrents_torrent ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({_TORRENT}) STORED",
    "CREATE INDEX torrent_search ON torrents_torrent USING gin (search_vector)",
    f"ALTER TABLE torrents_torrentfile ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({vector_sql('path')}) STORED",
    # One statement's files at once (intake writes a torrent's files in one INSERT). No
    # UPDATE trigger: a file's path is never rewritten (the UPDATEs of files are of their
    # priority, progress and counts, which must not pay for this).
    f"""CREATE FUNCTION torrents_files_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE torrents_torrent t SET files_vector = ({_FILES_OF})
            WHERE t.id IN (SELECT DISTINCT torrent_id FROM changed_new);
        ELSE
            UPDATE torrents_torrent t SET files_vector = ({_FILES_OF})
            WHERE t.id IN (SELECT DISTINCT torrent_id FROM changed_old);
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER torrents_files_inserted AFTER INSERT ON torrents_torrentfile "
    "REFERENCING NEW TABLE AS changed_new "
    "FOR EACH STATEMENT EXECUTE FUNCTION torrents_files_vector()",
    "CREATE TRIGGER torrents_files_deleted AFTER DELETE ON torrents_torrentfile "
    "REFERENCING OLD TABLE AS changed_old "
    "FOR EACH STATEMENT EXECUTE FUNCTION torrents_files_vector()",
]
BACKWARD = [
    "DROP TRIGGER torrents_files_deleted ON torrents_torrentfile",
    "DROP TRIGGER torrents_files_inserted ON torrents_torrentfile",
    "DROP FUNCTION torrents_files_vector()",
    "ALTER TABLE torrents_torrentfile DROP COLUMN search_vector",
    "ALTER TABLE torrents_torrent DROP COLUMN search_vector",
    "ALTER TABLE torrents_torrent DROP COLUMN files_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("torrents", "0018_stats")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]

"""`Ownership.torrent_status` and `Ownership.torrent_stalled_since`: copies of the torrent's, so
that a user's list counts (torrents/list_selectors.py) are grouped from their ownerships'
indexes alone instead of joining each of them to its torrent (about 10 ms a grouped query at
10,000 ownerships on SQLite, three of them on a page).

The database keeps the copies, as 0019 keeps `files_vector`: triggers, so that every writer is
covered (the ORM's updates and saves, the sync's raw UPDATE, the admin, a shell) and a new one
cannot forget. A torrent whose status or stalled_since changed sets them on its ownerships (the
WHEN leaves the sync's rate-only rows alone); an ownership written (created, bulk-created, or
saved whole from an instance holding old copies) takes them from its torrent. Existing rows are
filled here.

SQLite drops a table's triggers when Django remakes the table (an AddField of a NOT NULL
column, most AlterFields): a migration that remakes `torrents_torrent` or `torrents_ownership`
must create these again (`test_list_counts_kept.py` fails until it does).
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

SQLITE = [
    """CREATE TRIGGER ownership_copy_from_torrent
    AFTER UPDATE OF status, stalled_since ON torrents_torrent FOR EACH ROW
    WHEN OLD.status IS NOT NEW.status OR OLD.stalled_since IS NOT NEW.stalled_since
    BEGIN
        UPDATE torrents_ownership
        SET torrent_status = NEW.status, torrent_stalled_since = NEW.stalled_since
        WHERE torrent_id = NEW.id;
    END""",
    """CREATE TRIGGER ownership_copy_on_insert
    AFTER INSERT ON torrents_ownership FOR EACH ROW
    BEGIN
        UPDATE torrents_ownership
        SET (torrent_status, torrent_stalled_since) =
            (SELECT status, stalled_since FROM torrents_torrent WHERE id = NEW.torrent_id)
        WHERE id = NEW.id;
    END""",
    # Only when the row disagrees with its torrent: the first trigger's own UPDATE agrees.
    """CREATE TRIGGER ownership_copy_on_update
    AFTER UPDATE OF torrent_id, torrent_status, torrent_stalled_since ON torrents_ownership
    FOR EACH ROW
    WHEN NEW.torrent_status IS NOT (SELECT status FROM torrents_torrent WHERE id = NEW.torrent_id)
        OR NEW.torrent_stalled_since IS NOT
            (SELECT stalled_since FROM torrents_torrent WHERE id = NEW.torrent_id)
    BEGIN
        UPDATE torrents_ownership
        SET (torrent_status, torrent_stalled_since) =
            (SELECT status, stalled_since FROM torrents_torrent WHERE id = NEW.torrent_id)
        WHERE id = NEW.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER ownership_copy_on_update",
    "DROP TRIGGER ownership_copy_on_insert",
    "DROP TRIGGER ownership_copy_from_torrent",
]

POSTGRES = [
    """CREATE FUNCTION ownership_copy_from_torrent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE torrents_ownership
        SET torrent_status = NEW.status, torrent_stalled_since = NEW.stalled_since
        WHERE torrent_id = NEW.id;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER ownership_copy_from_torrent "
    "AFTER UPDATE OF status, stalled_since ON torrents_torrent FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.stalled_since IS DISTINCT FROM NEW.stalled_since) "
    "EXECUTE FUNCTION ownership_copy_from_torrent()",
    """CREATE FUNCTION ownership_copy_of_torrent() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        SELECT status, stalled_since INTO NEW.torrent_status, NEW.torrent_stalled_since
        FROM torrents_torrent WHERE id = NEW.torrent_id;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER ownership_copy_of_torrent "
    "BEFORE INSERT OR UPDATE OF torrent_id, torrent_status, torrent_stalled_since "
    "ON torrents_ownership FOR EACH ROW EXECUTE FUNCTION ownership_copy_of_torrent()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER ownership_copy_of_torrent ON torrents_ownership",
    "DROP FUNCTION ownership_copy_of_torrent()",
    "DROP TRIGGER ownership_copy_from_torrent ON torrents_torrent",
    "DROP FUNCTION ownership_copy_from_torrent()",
]


def _run(sqlite, postgres):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in {"sqlite": sqlite, "postgresql": postgres}.get(vendor, ()):
            schema_editor.execute(sql)

    return run


def fill(apps, schema_editor):
    Ownership = apps.get_model("torrents", "Ownership")
    Torrent = apps.get_model("torrents", "Torrent")
    its = Torrent.objects.filter(pk=OuterRef("torrent_id"))
    Ownership.objects.update(
        torrent_status=Subquery(its.values("status")[:1]),
        torrent_stalled_since=Subquery(its.values("stalled_since")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("torrents", "0020_torrent_moving_to"),
    ]

    operations = [
        migrations.AddField(
            model_name="ownership",
            name="torrent_status",
            field=models.CharField(
                choices=[
                    ("pending_approval", "waiting for approval"),
                    ("queued", "queued"),
                    ("checking", "checking"),
                    ("downloading", "downloading"),
                    ("seeding", "seeding"),
                    ("paused", "paused"),
                    ("stopped", "stopped"),
                    ("missing", "missing from rTorrent"),
                    ("rejected", "rejected"),
                    ("error", "error"),
                    ("removed", "removed"),
                    ("expired", "metadata never arrived"),
                ],
                default="",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="ownership",
            name="torrent_stalled_since",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(_run(SQLITE, POSTGRES), _run(SQLITE_BACKWARD, POSTGRES_BACKWARD)),
        migrations.RemoveIndex(
            model_name="ownership",
            name="ownership_user_tracker",
        ),
        migrations.AddIndex(
            model_name="ownership",
            index=models.Index(
                fields=["user", "tracker_host", "torrent_status", "torrent_stalled_since"],
                name="ownership_user_tracker_status",
            ),
        ),
        migrations.AddIndex(
            model_name="ownership",
            index=models.Index(
                fields=["user", "torrent_status", "tracker_host", "torrent_stalled_since"],
                name="ownership_user_status",
            ),
        ),
    ]

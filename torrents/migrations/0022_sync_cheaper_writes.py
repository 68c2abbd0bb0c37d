"""Cheaper writes of the sync's every-row UPDATE on Postgres (bench/sync_bench.py: 10,000
torrents whose status all changed, 11,000 ownerships copying it).

Postgres: the copy of a torrent's status onto its ownerships (0021) was a row trigger, one
UPDATE of its ownerships per torrent, and each ownership so written ran the ownerships' BEFORE
trigger, which read its torrent again (about 300 ms of a 1 s sync). It is now one UPDATE per
statement, from the statement's transition tables (only the torrents whose status or
stalled_since changed; a statement trigger with transition tables cannot name its columns, so
it runs on every UPDATE of torrents and the rate-only ones find nothing to copy). The
ownerships' trigger is split: every insert still takes its torrent's values; an update only
when written by a statement (depth 0: the ORM, a raw write, the admin) or when it changes
torrent_id, not when written by the copy itself, which writes the torrent's values already.
`jit = off` on the copy: the planner knows nothing of a transition table (it guesses millions
of rows) and JIT-compiled it for about 200 ms.

SQLite has no statement triggers: its row triggers of 0021 stay as they are.

Both: indexes that others cover are dropped (each costs the every-row UPDATE about 25 ms at
10,000 rows, the rows being written outside their page). `ownership.torrent_id` leads the unique
(torrent, user), `ownership.user_id` leads (user, created_at) and the counts' two,
`torrent.node_id` leads (node, status). Postgres' `varchar_pattern_ops` copies of
`torrent.status` and `torrent.info_hash` serve only LIKE 'x%' (nothing asks it: the admin's
search of info_hash is an ILIKE '%x%', which no btree serves). The state's AlterFields are
applied to the state only, the indexes dropped by name: on SQLite an AlterField remakes the
table, which would drop the triggers of 0021.
"""

from django.conf import settings
from django.db import migrations, models

POSTGRES = [
    # The changed torrents' three columns first (MATERIALIZED): joined whole, the transition
    # tables' rows are carried through the join wide, and its sorts spilled to disk.
    """CREATE OR REPLACE FUNCTION ownership_copy_from_torrent() RETURNS trigger
    LANGUAGE plpgsql SET jit = off AS $$
    BEGIN
        WITH changed AS MATERIALIZED (
            SELECT n.id, n.status, n.stalled_since
            FROM new_torrents n JOIN old_torrents p ON p.id = n.id
            WHERE p.status IS DISTINCT FROM n.status
                OR p.stalled_since IS DISTINCT FROM n.stalled_since
        )
        UPDATE torrents_ownership o
        SET torrent_status = c.status, torrent_stalled_since = c.stalled_since
        FROM changed c
        WHERE o.torrent_id = c.id;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER ownership_copy_from_torrent ON torrents_torrent",
    "CREATE TRIGGER ownership_copy_from_torrent AFTER UPDATE ON torrents_torrent "
    "REFERENCING OLD TABLE AS old_torrents NEW TABLE AS new_torrents "
    "FOR EACH STATEMENT EXECUTE FUNCTION ownership_copy_from_torrent()",
    "DROP TRIGGER ownership_copy_of_torrent ON torrents_ownership",
    "CREATE TRIGGER ownership_copy_of_torrent BEFORE INSERT ON torrents_ownership "
    "FOR EACH ROW EXECUTE FUNCTION ownership_copy_of_torrent()",
    "CREATE TRIGGER ownership_copy_on_update "
    "BEFORE UPDATE OF torrent_id, torrent_status, torrent_stalled_since ON torrents_ownership "
    "FOR EACH ROW WHEN (pg_trigger_depth() = 0 OR OLD.torrent_id IS DISTINCT FROM NEW.torrent_id) "
    "EXECUTE FUNCTION ownership_copy_of_torrent()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER ownership_copy_on_update ON torrents_ownership",
    "DROP TRIGGER ownership_copy_of_torrent ON torrents_ownership",
    "CREATE TRIGGER ownership_copy_of_torrent "
    "BEFORE INSERT OR UPDATE OF torrent_id, torrent_status, torrent_stalled_since "
    "ON torrents_ownership FOR EACH ROW EXECUTE FUNCTION ownership_copy_of_torrent()",
    "DROP TRIGGER ownership_copy_from_torrent ON torrents_torrent",
    """CREATE OR REPLACE FUNCTION ownership_copy_from_torrent() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE torrents_ownership
        SET torrent_status = NEW.status, torrent_stalled_since = NEW.stalled_since
        WHERE torrent_id = NEW.id;
        RETURN NULL;
    END $$""",
    "ALTER FUNCTION ownership_copy_from_torrent() RESET jit",
    "CREATE TRIGGER ownership_copy_from_torrent "
    "AFTER UPDATE OF status, stalled_since ON torrents_torrent FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.stalled_since IS DISTINCT FROM NEW.stalled_since) "
    "EXECUTE FUNCTION ownership_copy_from_torrent()",
]

# (index, table, column): Django's names for the foreign keys' indexes, alike on both.
COVERED = [
    ("torrents_ownership_torrent_id_48c63f5e", "torrents_ownership", "torrent_id"),
    ("torrents_ownership_user_id_4765239b", "torrents_ownership", "user_id"),
    ("torrents_torrent_node_id_0bf1bd9f", "torrents_torrent", "node_id"),
]
POSTGRES_LIKE = [
    ("torrents_torrent_status_1f03d864_like", "torrents_torrent", "status varchar_pattern_ops"),
    (
        "torrents_torrent_info_hash_12d99419_like",
        "torrents_torrent",
        "info_hash varchar_pattern_ops",
    ),
]


def _indexes(vendor: str) -> list[tuple[str, str, str]]:
    return COVERED + (POSTGRES_LIKE if vendor == "postgresql" else [])


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, _, _ in _indexes(vendor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    if vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql)
    for name, table, column in _indexes(vendor):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")


class Migration(migrations.Migration):
    dependencies = [
        ("torrents", "0021_ownership_torrent_status"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ownership",
                    name="torrent",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="ownerships",
                        to="torrents.torrent",
                    ),
                ),
                migrations.AlterField(
                    model_name="ownership",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="ownerships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="torrent",
                    name="node",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="torrents",
                        to="torrents.node",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]

"""The totals bar's rates, summed once per sync of a node (models.RateTotal) instead of on each
page: per owner, and the node's own (each torrent once, for staff). Read by
`list_selectors.torrent_totals`."""

from django.db import connection

from torrents.models import MOVING, Ownership, RateTotal, Torrent


def node_rate_totals_refresh(*, node_id: int) -> None:
    """The node's rows anew from its torrents' rates: in the sync's transaction, after its
    writes. Two statements whatever the node holds (the sync's query count stays flat): the
    old rows go, and one INSERT of a SELECT sums the node's moving torrents once and per
    owner."""
    totals, torrents = RateTotal._meta.db_table, Torrent._meta.db_table
    ownerships = Ownership._meta.db_table
    moving = ", ".join(["%s"] * len(MOVING))
    sql = (
        f"INSERT INTO {totals} (node_id, user_id, down_rate, up_rate) "
        f"SELECT %s, NULL, COALESCE(SUM(t.down_rate), 0), COALESCE(SUM(t.up_rate), 0) "
        f"FROM {torrents} t WHERE t.node_id = %s AND t.status IN ({moving}) "
        f"UNION ALL "
        f"SELECT %s, o.user_id, SUM(t.down_rate), SUM(t.up_rate) "
        f"FROM {ownerships} o JOIN {torrents} t ON t.id = o.torrent_id "
        f"WHERE t.node_id = %s AND t.status IN ({moving}) GROUP BY o.user_id"
    )
    statuses = [str(status) for status in MOVING]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {totals} WHERE node_id = %s", [node_id])
        cursor.execute(sql, [node_id, node_id, *statuses, node_id, node_id, *statuses])

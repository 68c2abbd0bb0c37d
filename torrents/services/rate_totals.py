"""The totals bar's rates, summed once per sync of a node (models.RateTotal) instead of on each
page: per owner, and the node's own (each torrent once, for staff). Read by
`list_selectors.torrent_totals`."""

from django.db import connection

from torrents.models import MOVING, Ownership, RateTotal, Torrent


def node_rate_totals_refresh(*, node_id: int) -> bool:
    """The node's rows anew from its torrents' rates, when they differ from those kept: run by
    every sync of the node, in its transaction, after its writes, so that whatever moved a
    total since the last run shows (a rate, a status, a torrent removed, moved to another node
    or shared, an ownership gone). One read whatever the node holds (the sums and the rows
    kept, in one query); two writes when they differ. Returns whether they did."""
    totals, torrents = RateTotal._meta.db_table, Torrent._meta.db_table
    ownerships = Ownership._meta.db_table
    moving = ", ".join(["%s"] * len(MOVING))
    sql = (
        f"SELECT 0, NULL, COALESCE(SUM(t.down_rate), 0), COALESCE(SUM(t.up_rate), 0) "
        f"FROM {torrents} t WHERE t.node_id = %s AND t.status IN ({moving}) "
        f"UNION ALL "
        f"SELECT 0, o.user_id, SUM(t.down_rate), SUM(t.up_rate) "
        f"FROM {ownerships} o JOIN {torrents} t ON t.id = o.torrent_id "
        f"WHERE t.node_id = %s AND t.status IN ({moving}) GROUP BY o.user_id "
        f"UNION ALL "
        f"SELECT 1, user_id, down_rate, up_rate FROM {totals} WHERE node_id = %s"
    )
    statuses = [str(status) for status in MOVING]
    with connection.cursor() as cursor:
        cursor.execute(sql, [node_id, *statuses, node_id, *statuses, node_id])
        rows = cursor.fetchall()
    summed = {(user_id, int(down), int(up)) for kept, user_id, down, up in rows if not kept}
    if summed == {(user_id, down, up) for kept, user_id, down, up in rows if kept}:
        return False
    RateTotal.objects.filter(node_id=node_id).delete()
    RateTotal.objects.bulk_create(
        RateTotal(node_id=node_id, user_id=user_id, down_rate=down, up_rate=up)
        for user_id, down, up in summed
    )
    return True

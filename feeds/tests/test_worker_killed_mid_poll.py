"""A real Celery worker SIGKILLed in the middle of a feed's poll, after it claimed a matched item
and while its intake transaction waits: nothing of that intake is kept, the item stays pending
with its claim, and once the claim runs out the next poll adds it, once.

Real processes: the worker as `runseedbox` starts it, on the suite's Redis and the test database
(Postgres), the feed on the loopback feed server. The worker is held inside the intake by a row
lock this test takes on the torrent the item's info-hash names (another user's, which the feed's
owner would join), so the kill lands between the claim and the commit."""

import os

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from feeds.models import FeedItem
from feeds.services.feeds import feed_create
from feeds.services.polling import feed_poll
from feeds.tests.feed_server import RSS, rss
from seedbox.testing import wait_until
from seedbox.tests.faults.support import Worker, database_url
from torrents.models import Ownership, Torrent
from torrents.services.intake import torrent_add_magnet
from torrents.tests.intake_support import clear_broker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CLAIM_SECONDS = 3


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_worker_killed_mid_take_leaves_the_item_to_the_next_poll(
    owner, other_user, server, offline_node, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the test database on a server: set DATABASE_URL=postgres")
    link = f"magnet:?xt=urn:btih:{0xDEAD:040x}&dn=killed&tr=http://127.0.0.1:6969/announce"
    shared = torrent_add_magnet(user=other_user, uri=link)
    items = [{"title": "Killed.Show.S01E01", "guid": "k1", "link": link}]
    server.routes["/rss"] = (rss(items), RSS)
    clear_broker()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "SEEDBOX_VAR_DIR": str(tmp_path / "var"),
        "SEEDBOX_ALLOW_PRIVATE_URLS": "true",  # the feed is served on loopback
        "SEEDBOX_ALLOW_PRIVATE_TRACKERS": "true",  # and its tracker is there too
        "SEEDBOX_FEED_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    # Queues the poll after its commit; the worker started below runs it.
    feed = feed_create(
        user=owner, url=server.url + "/rss", interval=30, rules=[{"include": "killed"}]
    )
    worker = None
    try:
        with transaction.atomic():
            Torrent.objects.select_for_update().get(pk=shared.pk)
            worker = Worker(env)

            def held() -> bool:
                claimed = FeedItem.objects.filter(
                    feed=feed, state="pending", claimed_until__isnull=False
                ).exists()
                return claimed and _waiting_on_a_lock() > 0

            def explain() -> str:
                items = list(FeedItem.objects.values_list("state", "reason"))
                return f"{items}\n{worker.output()}"

            wait_until(held, timeout=30, what="the worker's claim, held in intake", explain=explain)
            worker.kill()
        # The lock is released: the killed worker's transaction is rolled back, not committed.
    finally:
        if worker is not None:
            worker.kill()
        clear_broker()

    item = FeedItem.objects.get(feed=feed)
    assert (item.state, item.torrent_id) == ("pending", None)
    assert not Ownership.objects.filter(user=owner).exists()

    wait_until(
        lambda: FeedItem.objects.get(pk=item.pk).claimed_until < timezone.now(),
        timeout=CLAIM_SECONDS + 5,
        what="the dead worker's claim to run out",
    )
    assert feed_poll(feed_id=feed.pk).taken == 1
    assert feed_poll(feed_id=feed.pk).taken == 0
    item.refresh_from_db()
    assert (item.state, item.torrent_id) == ("taken", shared.pk)
    assert Ownership.objects.filter(user=owner, torrent=shared).count() == 1
    assert Torrent.objects.count() == 1

"""Fixtures of the feeds tests: the feed server on loopback (allowed by the setting, as a LAN
site would), a node row for intake (real rTorrent where a test asks for `node`)."""

import pytest

from accounts.testing import make_user
from feeds.tests.feed_server import feed_server
from torrents.models import Node


@pytest.fixture
def server(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True  # the feed server is on loopback
    settings.SEEDBOX_FETCH_TOTAL_TIMEOUT = 3.0
    settings.SEEDBOX_FETCH_READ_TIMEOUT = 2.0
    with feed_server() as running:
        yield running


@pytest.fixture
def offline_node(db, tmp_path) -> Node:
    """A node row: intake writes rows and queues the push after the commit (which a test's
    transaction never reaches), so no daemon is needed where nothing is pushed."""
    return Node.objects.create(
        name="feeds", rpc_url="scgi:///nonexistent.sock", data_root=str(tmp_path)
    )


@pytest.fixture
def owner(db):
    return make_user("feeds.owner@example.com", quota_bytes=1 << 40)

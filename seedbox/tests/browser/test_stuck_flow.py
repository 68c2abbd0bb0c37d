"""Why is it stuck, in a real browser: rTorrent's long message is marked on the row and said on
the torrent page without widening a 375 px phone, and the tracker panel arrives after the page
(htmx) with a clear word when the node does not answer."""

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import log_in, make_user, screenshot

pytestmark = pytest.mark.browser

# An unbroken run of characters is what overflowed cards before (a URL, a hash, a passkey).
MESSAGE = 'Tracker: [Failure reason "Requested download is not authorized ' + "x" * 240 + '"]'


def test_the_message_is_marked_on_the_row_and_read_on_the_page(stack, new_page):
    owner = make_user(stack, "stuck@example.com")
    pk = stack.python(
        "from accounts.models import User\n"
        "from torrents.models import Node, Ownership, Torrent\n"
        "user = User.objects.get(email='stuck@example.com')\n"
        # A node that is off: the sync leaves the row alone, and rTorrent never answers.
        "node = Node.objects.create(name='off', rpc_url='scgi:///nonexistent/rpc.sock',\n"
        "    data_root='/tmp', enabled=False)\n"
        "t = Torrent.objects.create(info_hash='ab' * 20, name='refused.bin', size_bytes=1000,\n"
        "    node=node, status='downloading',\n"
        f"    rtorrent_message={MESSAGE!r})\n"
        "Ownership.objects.create(torrent=t, user=user, charged_bytes=1000)\n"
        "print(t.pk)\n"
    ).strip()

    page = new_page()
    log_in(page, owner)
    mark = page.locator(f"#t-{pk} [data-testid='rtorrent-message']")
    expect(mark).to_contain_text("Requested download is not authorized")
    assert mark.get_attribute("title") == f"rTorrent says: {MESSAGE}"
    screenshot(page, "list-rtorrent-message")

    page.goto(f"/torrents/{pk}/")
    expect(page.locator("#rtorrent-message")).to_contain_text("Requested download is not")
    # The panel replaced its placeholder, saying why it has no live state.
    expect(page.locator("#trackers-unavailable")).to_contain_text("rTorrent did not answer")
    expect(page.locator("#trackers-loading")).to_have_count(0)
    screenshot(page, "torrent-rtorrent-message")

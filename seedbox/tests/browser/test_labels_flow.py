"""Labels in a real browser: the torrent page's editor saves without a reload (htmx), the chips
show on the list and filter it, and long labels on long names never make a 375 px phone
scroll sideways (list, torrent page, labels page)."""

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import log_in, make_user, screenshot

pytestmark = [pytest.mark.browser]

# Rows without a daemon (the pages read rows), owned by the user, one already labelled.
ROWS = """
import hashlib
from accounts.models import User
from torrents.models import Node, Ownership, Torrent
from torrents.services.labels import torrent_labels_set
user = User.objects.get(email={email!r})
node, _ = Node.objects.get_or_create(
    name="labels-offline",
    defaults={{"rpc_url": "scgi:///nonexistent.sock", "data_root": "/tmp", "enabled": False}},
)
ids = []
for n, name in enumerate(["A.Very.Long.Torrent.Name.Without.Any.Spaces.To.Break.It." * 3, "short"]):
    t = Torrent.objects.create(
        info_hash=hashlib.sha1(f"{email} {{n}}".encode()).hexdigest(), name=name, node=node,
        status="paused", size_bytes=1000, added_by=user,
    )
    Ownership.objects.create(torrent=t, user=user)
    ids.append(t.pk)
torrent_labels_set(user=user, torrent=Torrent.objects.get(pk=ids[0]), names=[
    "an-extremely-long-label-name-xx", "films", "to watch later, maybe".replace(",", ""),
    "linux", "iso", "archive", "more-long-label-names-here-ok",
])
print(ids[1])
"""


def test_labels_edit_live_filter_and_fit_a_phone(stack, new_page):
    email = make_user(stack, "labeller@example.com")
    short_id = int(stack.python(ROWS.format(email=email)).strip().splitlines()[-1])
    page = new_page()
    log_in(page, email)
    page.goto(f"/torrents/{short_id}/")
    page.evaluate("window.__notReloaded = true")
    page.locator("#id_torrent_labels").fill("linux, Fresh one")
    page.locator("#labels-save").click()
    expect(page.locator("#labels-saved")).to_be_visible()
    expect(page.locator("#torrent-labels .chip-name")).to_have_text(["Fresh one", "linux"])
    assert page.evaluate("window.__notReloaded === true")  # swapped in, not a new page
    screenshot(page, "labels-torrent-page")

    page.goto("/")
    expect(page.locator("#label-filters")).to_be_visible()
    screenshot(page, "labels-list")
    page.locator("#label-filters a", has_text="Fresh one").click()
    expect(page.locator("tr.torrent-row")).to_have_count(1)
    expect(page.locator("tr.torrent-row .chip-name")).to_have_text(["Fresh one", "linux"])
    page.goto("/labels/")
    screenshot(page, "labels-page")

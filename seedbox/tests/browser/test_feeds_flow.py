"""Feeds in a real browser against the whole stack: a user adds a feed (served from a loopback
HTTP server in the test process), previews a rule on its page (htmx swaps the verdicts in),
saves it, previews it edited (swapped in under it), and the stack's beat and worker poll the
feed on their own: the history shows the items taken and the ones left, with why; a new item
that appears later becomes a torrent with no one asking; all under the CSP and usable at
375 px."""

import re

import pytest
from playwright.sync_api import expect

from feeds.tests.feed_server import RSS, feed_server, rss
from seedbox.tests.browser.conftest import log_in, make_user, screenshot
from seedbox.tests.browser.stack import wait_for
from seedbox.tests.browser.test_csp import assert_no_violation, watched_page

pytestmark = pytest.mark.browser

TRACKER = "http://127.0.0.1:6969/announce"


def _magnet(n: int, name: str) -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn={name}&tr={TRACKER}"


ITEMS = [
    {
        "title": "Browser.Show.S01E02.1080p.WEB",
        "guid": "b2",
        "link": _magnet(0xB2, "b2"),
        "size": 7 << 20,
    },
    {
        "title": "Browser.Show.S01E01.720p.HDTV",
        "guid": "b1b",
        "link": _magnet(0xB1B, "b1b"),
        "size": 3 << 20,
    },
    {
        "title": "Browser.Show.S01E01.1080p.WEB",
        "guid": "b1",
        "link": _magnet(0xB1, "b1"),
        "size": 6 << 20,
    },
]

NEW = {
    "title": "Browser.Show.S01E03.1080p.WEB",
    "guid": "b3",
    "link": _magnet(0xB3, "b3"),
    "size": 8 << 20,
}
DUE = """
from django.utils import timezone
from feeds.models import Feed
Feed.objects.filter(user__email={email!r}).update(next_poll_at=timezone.now())
"""
OWNED = """
from torrents.models import Ownership
for o in Ownership.objects.filter(user__email={email!r}).order_by("torrent__info_hash"):
    print(o.torrent.info_hash + ":" + ",".join(label.name for label in o.labels.all()))
"""


def test_add_a_feed_preview_a_rule_and_see_the_history(stack, new_page):
    email = make_user(stack, "feeds.browser@example.com", trusted=True)
    with feed_server() as server:
        server.routes["/shows.rss"] = (rss(ITEMS, title="Browser shows"), RSS)
        page, console = watched_page(new_page)
        log_in(page, email)
        page.get_by_role("link", name="Feeds", exact=True).click()
        page.wait_for_url(re.compile(r"/feeds/$"))
        page.get_by_label("Feed URL").fill(f"{server.url}/shows.rss?passkey=BROWSERSECRET")
        page.get_by_label("Every (minutes)").fill("30")
        page.get_by_role("button", name="Add feed").click()
        page.wait_for_url(re.compile(r"/feeds/\d+/$"))
        expect(page.locator("#feed-facts")).to_contain_text("passkey=…")
        expect(page.locator("main")).not_to_contain_text("BROWSERSECRET")

        new_rule = page.locator("#rule-new")
        new_rule.get_by_label("Must contain").fill("browser show 1080p")
        new_rule.get_by_label("Label").fill("tv")
        page.evaluate("window.__notReloaded = true")
        page.locator("#preview-rule").click()
        rows = page.locator("#preview tbody tr")
        expect(rows).to_have_count(3)
        expect(page.locator("#preview tr[data-matched='true']")).to_have_count(2)
        expect(page.locator("#preview")).to_contain_text("does not contain '1080p'")
        assert page.evaluate("window.__notReloaded") is True  # swapped in by htmx
        screenshot(page, "feed-preview")

        page.locator("#save-rule").click()
        saved = page.locator("#rule-0")
        expect(saved.get_by_label("Must contain")).to_have_value("browser show 1080p")

        # The saved rule previewed as edited (not saved: the poll below takes the 1080p ones).
        saved.get_by_label("Must contain").fill("browser show 720p")
        page.evaluate("window.__notReloaded = true")
        page.locator("#preview-rule-0").click()
        expect(page.locator("#preview-0 tr[data-matched='true']")).to_have_count(1)
        expect(page.locator("#preview-0")).to_contain_text("does not contain '720p'")
        assert page.evaluate("window.__notReloaded") is True
        expect(page.locator("#preview tbody tr")).to_have_count(0)

        # No "Check now": the saved rule makes the feed due, and the stack's beat and worker
        # poll it on their own.
        def taken(count: int):
            def check() -> bool:
                page.reload()
                return page.locator("#feed-history tr[data-state='taken']").count() == count

            return check

        wait_for(taken(2), timeout=60, what="beat's poll of the feed", stack=stack)
        history = page.locator("#feed-history")
        expect(history.locator("tr[data-state='skipped']")).to_have_count(1)
        expect(history).to_contain_text("added as torrent #")
        expect(page.locator("#feed-facts")).to_contain_text(
            re.compile(r"HTTP (200: 3 items, [03] new|304: 3 items, 0 new)")
        )
        screenshot(page, "feed-history")

        # A new episode appears in the feed; once the feed's interval has passed (moved here
        # instead of waited for), beat polls it again and the new item becomes a torrent.
        server.routes["/shows.rss"] = (rss([NEW, *ITEMS], title="Browser shows"), RSS)
        stack.python(DUE.format(email=email))
        wait_for(taken(3), timeout=60, what="beat's poll of the new item", stack=stack)
        expect(history.locator("tr[data-state='taken']").first).to_contain_text(NEW["title"])
        owned = stack.python(OWNED.format(email=email)).split()
        assert owned == [f"{0xB1:040x}:tv", f"{0xB2:040x}:tv", f"{0xB3:040x}:tv"], owned

        page.locator("#feed-check").click()
        expect(page.locator(".messages")).to_contain_text("The feed is checked in a moment")
        assert server.requests, "the stack's worker fetched the feed"
        assert_no_violation(page, console, "feeds pages")

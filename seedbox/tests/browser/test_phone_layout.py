"""Every page a visitor, a user and an admin can reach, at a 375 px phone width, with the longest
strings the site may show (a name of 200 characters without a space, errors, paths, hashes, a
long address): nothing makes the page scroll sideways (wide tables scroll inside their own box).
Plus the torrent page's player: Play only where chromium can play, the player above the table."""

import json
import os
import re

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.testing import PASSWORD
from seedbox.tests.browser.conftest import PHONE, classic_forms, field, log_in, make_user

pytestmark = pytest.mark.browser

LONG = "Very.Long.Release.Name.Without.Any.Spaces." * 4 + "x" * 40
ERROR = "tracker said: Requested_download_is_not_authorized_for_use_with_this_tracker:" + "e" * 120
EMAIL = "a.very-long.mailbox-name-for-layouts@an-unusually-long-subdomain.example.com"
ADMIN = "root.of.everything.with.a.long.name@an-unusually-long-subdomain.example.com"

# Rows made in the stack's database: the user's torrent (long name, long errors, a deep tree of
# files with long names, history), a waiting one for the queue, a token and an authenticator.
SETUP = """
import hashlib, json
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from accounts.models import User
from accounts.services.tokens import api_token_create
from torrents.models import (Node, Ownership, Torrent, TorrentFile, TorrentHistory,
    TorrentStatus)

LONG, ERROR = {long!r}, {error!r}
user, admin = User.objects.get(email={email!r}), User.objects.get(email={admin!r})
node = Node.objects.get(managed=True)  # other tests add nodes of their own

def torrent(seed, status, size, **fields):
    t = Torrent.objects.create(
        info_hash=hashlib.sha1(seed.encode()).hexdigest(), name=LONG, size_bytes=size,
        completed_bytes=size // 5, uploaded_bytes=size // 27, node=node, status=status,
        added_by=user, **fields)
    Ownership.objects.create(torrent=t, user=user, charged_bytes=t.size_bytes)
    TorrentFile.objects.bulk_create(
        TorrentFile(torrent=t, index=i, path=f"{{LONG}}/{{'deeper/' * 6}}{{LONG}}.{{i}}.{{ext}}",
                    size_bytes=1000 + i)
        for i, ext in enumerate(["mkv", "flac", "mp4", "nfo"]))
    TorrentHistory.objects.create(
        user=user, torrent=t, info_hash=t.info_hash, name=LONG, uploaded_bytes=4567890123,
        downloaded_bytes=23456789012, seeding_seconds=987654)
    TorrentHistory.objects.create(
        user=admin, torrent=t, info_hash=t.info_hash, name=LONG, uploaded_bytes=5)
    return t

broken = torrent("broken", TorrentStatus.ERROR, 12345678901, status_message=ERROR,
                 last_error=ERROR, push_attempts=7)
# Small: a waiting torrent counts against the node's free disk for the other tests' uploads.
waiting = torrent("waiting", TorrentStatus.PENDING_APPROVAL, 1234567)
api_token_create(user=user, name=LONG[:100])
secret = generate_totp_secret()
TOTP.activate(User.objects.get(email={totp!r}), secret)
print(json.dumps({{"torrent": broken.pk, "waiting": waiting.pk, "secret": secret}}))
"""

SCROLL_CHECK = """() => {
  const limit = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > limit + 1 && !e.closest(".table-wrap"))
    .slice(0, 5)
    .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
                (e.className && typeof e.className === "string" ? "." + e.className : ""));
  return {width: document.documentElement.scrollWidth, inner: limit, wide};
}"""


def assert_fits(page, path: str) -> None:
    found = page.evaluate(SCROLL_CHECK)
    assert found["width"] <= found["inner"], f"{path}: {found}"


def visit(page, path: str, *, status: int = 200) -> None:
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}"
    assert_fits(page, path)


@pytest.fixture(scope="module")
def people(stack):
    make_user(stack, EMAIL)
    make_user(stack, ADMIN, staff=True)
    make_user(stack, "two.factor@example.com")
    out = stack.python(
        SETUP.format(
            long=LONG, error=ERROR, email=EMAIL, admin=ADMIN, totp="two.factor@example.com"
        )
    )
    return json.loads(out.strip().splitlines()[-1])


def phone(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    return page


def test_pages_of_a_visitor_fit_a_phone(stack, new_page, people):
    page = phone(new_page)
    for path in (
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/x-" + "y" * 60 + "/",
        "/accounts/confirm-email/",
        "/accounts/confirm-email/" + "k" * 64 + "/",
    ):
        visit(page, path)
    visit(page, "/no/such/page/" + "z" * 120, status=404)
    # A refused login: the error is on the page.
    page.goto("/accounts/login/")
    field(page, "Email").fill(EMAIL)
    field(page, "Password").fill("not-the-password")
    page.locator("main form").get_by_role("button", name=re.compile("^log in$", re.I)).click()
    expect(page.locator(".errorlist")).to_be_visible()
    assert_fits(page, "login refused")


def test_pages_of_a_user_fit_a_phone(stack, new_page, people, tmp_path):
    page = phone(new_page)
    log_in(page, EMAIL)
    torrent = people["torrent"]
    for path in (
        "/",
        "/?q=" + "q" * 150,
        f"/torrents/{torrent}/",
        f"/torrents/{torrent}/delete/",
        "/torrents/add/",
        "/accounts/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/sessions/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",  # asks for the password again first
        "/accounts/2fa/webauthn/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/api/docs/",
    ):
        visit(page, path)
    visit(page, "/accounts/email/undo/" + "t" * 80 + "/", status=400)  # a link gone bad
    visit(page, f"/torrents/{people['waiting'] + 1000}/", status=404)
    expect(page.locator("#history .table-wrap")).to_have_count(0)  # a 404 page, not the torrent

    # The add page's refusals carry the long name and the reason.
    page.goto("/torrents/add/")
    assert_fits(page, "add page with its drop zone")
    classic_forms(page)
    magnet = f"magnet:?xt=urn:btih:{os.urandom(20).hex()}&dn={LONG}&tr=http://x/a"
    page.locator("#id_magnets").fill(magnet)
    page.locator("#submit-magnets").click()
    expect(page.locator("#add-results")).to_be_visible()
    assert_fits(page, "add results")
    # A refusal (a 400, swapped in by htmx) names the long file and says why.
    bad = tmp_path / f"{LONG[:200]}.torrent"
    bad.write_bytes(b"not bencoded at all")
    page.goto("/torrents/add/")
    classic_forms(page)
    page.locator("#id_torrents").set_input_files(str(bad))
    page.locator("#submit-torrents").click()
    expect(page.locator("#add-results")).to_contain_text("not a torrent file")
    assert_fits(page, "add refused")
    # The torrent page's history table scrolls inside its own box, all of it reachable.
    page.goto(f"/torrents/{torrent}/")
    box = page.locator("#history .table-wrap")
    scroll = box.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert scroll[2] == "auto"
    assert page.locator("#history").bounding_box()["width"] <= PHONE["width"]
    # The account page takes the width a phone has, and a desktop's too.
    page.goto("/accounts/")
    card = page.locator("main .card").first.bounding_box()["width"]
    assert card >= PHONE["width"] - 40
    page.set_viewport_size({"width": 1280, "height": 900})
    card = page.locator("main .card").first.bounding_box()["width"]
    main = page.locator("main").bounding_box()["width"]
    assert card >= 0.9 * (main - 48), (card, main)


def test_pages_of_an_admin_fit_a_phone(stack, new_page, people):
    page = phone(new_page)
    log_in(page, ADMIN)
    for path in (
        "/",
        "/staff/moderation/",
        "/staff/server/",
        f"/torrents/{people['torrent']}/",
        f"/torrents/{people['waiting']}/",
        "/accounts/",
        "/admin/",
        "/admin/accounts/user/",
        "/admin/torrents/torrent/",
        f"/admin/torrents/torrent/{people['torrent']}/change/",
    ):
        visit(page, path)
    # On a phone the queue still says who asked.
    page.goto("/staff/moderation/")
    expect(page.get_by_test_id("asker").first).to_be_visible()
    expect(page.get_by_test_id("asker").first).to_be_in_viewport()


def test_the_second_factor_page_fits_a_phone(stack, new_page, people):
    page = phone(new_page)
    page.goto("/accounts/login/")
    field(page, "Email").fill("two.factor@example.com")
    field(page, "Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("^log in$", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    assert_fits(page, "/accounts/2fa/authenticate/")
    field(page, "Code").fill(pyotp.TOTP(people["secret"]).now())
    page.locator("main form").get_by_role("button", name="Log in", exact=True).first.click()
    page.wait_for_url(re.compile(r"/$"))
    visit(page, "/accounts/2fa/")

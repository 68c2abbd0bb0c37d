"""The statistics pages (stats/) on a 375 px phone and in dark mode: the user's /stats/ in days,
weeks and months, the staff's /stats/staff/, the torrent page's use panel; with long names and
addresses nothing scrolls sideways, and the chart's bars and labels stand out from the page."""

import json

import pytest

from seedbox.tests.browser.conftest import PHONE, log_in, make_user, screenshot
from seedbox.tests.browser.test_phone_layout import LONG, assert_fits

pytestmark = pytest.mark.browser

EMAIL = "stats.reader.with-a-long-mailbox@an-unusually-long-subdomain.example.com"
STAFF = "stats.staff.with-a-long-mailbox@an-unusually-long-subdomain.example.com"

SETUP = """
import datetime as dt, hashlib, json
from django.utils import timezone
from accounts.models import User
from media.models import MediaView
from torrents.models import (Node, NodeTrafficBucket, Ownership, Torrent, TorrentFile,
    TrafficBucket)

LONG = {long!r}
user = User.objects.get(email={email!r})
User.objects.filter(pk=user.pk).update(used_bytes=123456789)
node = Node.objects.get(managed=True)
t = Torrent.objects.create(
    info_hash=hashlib.sha1(b"stats-phone").hexdigest(), name=LONG, size_bytes=5000, node=node,
    status="stopped", added_by=user, download_count=12)
Ownership.objects.create(torrent=t, user=user, charged_bytes=5000)
f = TorrentFile.objects.create(torrent=t, index=0, path=f"{{LONG}}/{{LONG}}.mkv", size_bytes=5000,
                               download_count=7)
MediaView.objects.create(user=user, file=f, torrent=t)
now = timezone.now().replace(minute=0, second=0, microsecond=0)
for days in range(0, 400, 3):
    hour = now - dt.timedelta(days=days)
    TrafficBucket.objects.create(user=user, hour=hour, uploaded_bytes=10**9 + days,
                                 downloaded_bytes=3 * 10**8)
    # The node is the stack's, shared with the other browser tests: its sync may have made
    # this hour's bucket already.
    NodeTrafficBucket.objects.update_or_create(node=node, hour=hour, defaults=dict(
        uploaded_bytes=10**10, downloaded_bytes=10**9 + days))
print(json.dumps({{"torrent": t.pk}}))
"""

CHART_COLOURS = """() => {
  const svg = document.querySelector("figure.chart svg");
  const text = svg.querySelector("text"), up = svg.querySelector("rect.up");
  return {
    background: getComputedStyle(document.body).backgroundColor,
    text: getComputedStyle(text).fill,
    up: getComputedStyle(up).fill,
    svgWidth: svg.getBoundingClientRect().width,
  };
}"""


@pytest.fixture(scope="module")
def people(stack):
    make_user(stack, EMAIL)
    make_user(stack, STAFF, staff=True)
    out = stack.python(SETUP.format(long=LONG, email=EMAIL))
    return json.loads(out.strip().splitlines()[-1])


def _phone(new_page, *, dark: bool = False):
    page = new_page()
    page.set_viewport_size(PHONE)
    if dark:
        page.emulate_media(color_scheme="dark")
    return page


def _visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    assert_fits(page, path)


def _readable_chart(page) -> dict:
    colours = page.evaluate(CHART_COLOURS)
    assert colours["text"] != colours["background"], colours
    assert colours["up"] != colours["background"], colours
    assert colours["svgWidth"] <= PHONE["width"], colours
    return colours


def test_the_users_statistics_fit_a_phone_light_and_dark(stack, new_page, people):
    light = _phone(new_page)
    log_in(light, EMAIL)
    for path in ("/stats/", "/stats/?period=week", "/stats/?period=month"):
        _visit(light, path)
        _readable_chart(light)
    _visit(light, f"/torrents/{people['torrent']}/")
    assert light.locator("#usage [data-stat=downloads]").inner_text() == "12"

    dark = _phone(new_page, dark=True)
    log_in(dark, EMAIL)
    _visit(dark, "/stats/")
    light.goto("/stats/")
    assert _readable_chart(dark)["background"] != _readable_chart(light)["background"]
    screenshot(dark, "stats-mine-dark")


def test_the_staff_statistics_fit_a_phone(stack, new_page, people):
    page = _phone(new_page, dark=True)
    log_in(page, STAFF)
    for path in ("/stats/staff/", "/stats/staff/?days=365"):
        _visit(page, path)
        _readable_chart(page)
    assert EMAIL in page.locator("#disk-users").inner_text()
    screenshot(page, "stats-staff-dark")

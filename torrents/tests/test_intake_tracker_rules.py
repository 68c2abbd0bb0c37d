"""Tracker rules: matching on the host or its registrable domain, at intake and in the API."""

import pytest
from django.core.exceptions import ValidationError

from torrents.models import Torrent, TrackerRule
from torrents.services.tracker_rules import (
    TrackerRefused,
    registrable_domain,
    tracker_rule_clean_pattern,
    tracker_rules_check,
)
from torrents.tests.factories import make_torrent
from torrents.tests.intake_support import api, post, upload


def test_registrable_domain_uses_the_public_suffix_list():
    assert registrable_domain("tracker.example.org") == "example.org"
    assert registrable_domain("a.b.example.co.uk") == "example.co.uk"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"


def test_pattern_cleaning():
    assert tracker_rule_clean_pattern(" Tracker.Example.ORG. ") == "tracker.example.org"
    assert tracker_rule_clean_pattern("http://t.example.org:6969/announce") == "t.example.org"
    assert tracker_rule_clean_pattern("bücher.example") == "xn--bcher-kva.example"
    with pytest.raises(ValidationError):
        tracker_rule_clean_pattern("not a host/path")


@pytest.mark.parametrize(
    ("rules", "url", "allowed"),
    [
        ([], "http://anything.example/announce", True),
        ([("bad.org", "deny")], "http://tracker.bad.org/announce", False),
        ([("bad.org", "deny")], "http://tracker.notbad.org/announce", True),
        ([("tracker.bad.org", "deny")], "http://other.bad.org/announce", True),
        ([("good.org", "allow")], "udp://t1.good.org:1337/announce", True),
        ([("good.org", "allow")], "http://good.org.evil.com/announce", False),
        ([("good.org", "allow")], "http://127.0.0.1/announce", False),
        ([("good.org", "allow"), ("t1.good.org", "deny")], "http://t1.good.org/a", False),
        ([("good.co.uk", "allow")], "http://x.good.co.uk/a", True),
        ([("co.uk", "allow")], "http://x.good.co.uk/a", False),  # a suffix is not a domain
    ],
)
def test_rules(db, alice, rules, url, allowed):
    for pattern, action in rules:
        TrackerRule.objects.create(pattern=pattern, action=action)
    if allowed:
        tracker_rules_check(urls=[url], user=alice)
    else:
        with pytest.raises(TrackerRefused):
            tracker_rules_check(urls=[url], user=alice)


def test_every_announce_url_must_pass_and_admins_may_bypass(node, alice, boss, settings, tmp_path):
    TrackerRule.objects.create(pattern="good.org", action="allow")
    data, _, _ = make_torrent(
        tmp_path, "x.bin", 100, trackers=["http://t.good.org/a", "http://t.other.net/a"]
    )
    response = post(alice, {"torrents": [upload("x.torrent", data)]})
    assert response.status_code == 400
    assert response.data["rejected"][0]["reason"] == (
        "the tracker http://t.other.net/a is not on this site's list of allowed trackers"
    )
    settings.SEEDBOX_TRACKER_RULES_ADMIN_BYPASS = False
    assert post(boss, {"torrents": [upload("x.torrent", data)]}).status_code == 400
    settings.SEEDBOX_TRACKER_RULES_ADMIN_BYPASS = True
    assert post(boss, {"torrents": [upload("x.torrent", data)]}).status_code == 201
    assert Torrent.objects.count() == 1


def test_magnet_trackers_are_checked_too(node, alice):
    TrackerRule.objects.create(pattern="bad.org", action="deny")
    magnet = "magnet:?xt=urn:btih:" + "c" * 40 + "&tr=http://x.bad.org/announce"
    response = post(alice, {"magnets": magnet})
    assert "(rule: deny bad.org)" in response.data["rejected"][0]["reason"]


def test_tracker_rules_api_is_for_admins(db, alice, boss):
    assert api(alice).get("/api/trackers").status_code == 403
    assert api(None).get("/api/trackers").status_code in (401, 403)
    created = api(boss).post("/api/trackers", {"pattern": "Example.ORG", "action": "deny"})
    assert created.status_code == 201
    assert created.data["pattern"] == "example.org"
    duplicate = api(boss).post("/api/trackers", {"pattern": "example.org", "action": "allow"})
    assert duplicate.status_code == 400
    rule_url = f"/api/trackers/{created.data['id']}"
    assert api(alice).delete(rule_url).status_code == 403
    assert api(boss).patch(rule_url, {"note": "spam"}).data["note"] == "spam"
    assert api(boss).delete(rule_url).status_code == 204
    assert not TrackerRule.objects.exists()


SPELLINGS_OF_LOOPBACK = [
    "2130706433", "0x7f000001", "127.1", "0177.0.0.1", "[::ffff:127.0.0.1]", "127.000.000.001",
    "127.0.0.1.",
]  # fmt: skip


@pytest.mark.parametrize("host", SPELLINGS_OF_LOOPBACK)
def test_an_address_rule_is_not_bypassed_by_another_spelling(node, alice, host):
    TrackerRule.objects.create(pattern=tracker_rule_clean_pattern("127.0.0.1"), action="deny")
    magnet = "magnet:?xt=urn:btih:" + "c" * 40 + f"&tr=http://{host}:6969/announce"
    response = post(alice, {"magnets": magnet})
    assert response.status_code == 400
    assert "(rule: deny 127.0.0.1)" in response.data["rejected"][0]["reason"]


@pytest.mark.parametrize(
    ("rules", "url", "allowed"),
    [
        ([("10.0.0.0/8", "deny")], "http://10.20.30.40/a", False),
        ([("10.0.0.0/8", "deny")], "http://012.1/a", False),  # octal 10.0.0.1
        ([("10.0.0.0/8", "deny")], "http://11.0.0.1/a", True),
        ([("::1/128", "deny")], "http://[::1]:80/a", False),
        ([("127.0.0.0/8", "deny")], "http://localhost:80/a", False),  # names are resolved
        ([("192.0.2.0/24", "allow")], "udp://192.0.2.7:1337", True),
        ([("192.0.2.0/24", "allow")], "udp://0xc0000208:1337", True),
        ([("192.0.2.0/24", "allow")], "udp://198.51.100.1:1337", False),
        ([("fc00::/7", "deny")], "http://[fd12::1]/a", False),
    ],
)
def test_network_rules(db, alice, rules, url, allowed):
    for pattern, action in rules:
        TrackerRule.objects.create(pattern=tracker_rule_clean_pattern(pattern), action=action)
    if allowed:
        tracker_rules_check(urls=[url], user=alice)
    else:
        with pytest.raises(TrackerRefused):
            tracker_rules_check(urls=[url], user=alice)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0x7f000001", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "127.0.0.1"),
        ("http://127.1:6969/announce", "127.0.0.1"),
        ("10.1.2.3/8", "10.0.0.0/8"),
        ("::1/128", "::1/128"),
        ("[::1]", "::1"),
    ],
)
def test_address_and_network_patterns_are_stored_canonical(typed, stored):
    assert tracker_rule_clean_pattern(typed) == stored


@pytest.mark.parametrize(
    "pattern",
    ["bad\x00.org", "bad\n.org", "bad\t.org", "bad .org", "bad\u200b.org", "bad\u202e.org",
     "10.0.0.0/33", "10.0.0.0/x", "a/b"],
)  # fmt: skip
def test_control_characters_and_bad_networks_are_refused_in_patterns(db, boss, pattern):
    with pytest.raises(ValidationError):
        tracker_rule_clean_pattern(pattern)
    response = api(boss).post("/api/trackers", {"pattern": pattern, "action": "deny"})
    assert response.status_code == 400
    assert "pattern" in response.data
    assert not TrackerRule.objects.exists()


def test_the_admin_form_cleans_patterns_too(db, client, boss):
    client.force_login(boss)
    url = "/admin/torrents/trackerrule/add/"
    response = client.post(url, {"pattern": "evil\x07.org", "action": "deny", "note": ""})
    assert response.status_code == 200  # the form again, with the error
    assert "control characters" in response.content.decode()
    assert not TrackerRule.objects.exists()
    response = client.post(url, {"pattern": "0x0a000000/8", "action": "deny", "note": ""})
    assert response.status_code == 302
    assert TrackerRule.objects.get().pattern == "10.0.0.0/8"

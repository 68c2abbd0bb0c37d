"""A user's status, tracker and label counts (each a grouped query of their ownerships, every filter
checked on the ownership or its torrent) are, under every combination of filters, what counting
the torrents the list itself shows one by one gives; searching, the torrents a ranked page keeps
from the matches (`matched_kept`) are those the list's query keeps. Staff's counts (of every
torrent, removed ones too, a tracker host being any owner's, or the chosen owner's) are what the
list shows when each value is picked, and so are the ranked page's candidates."""

import dataclasses
import datetime as dt
import itertools
from collections import Counter

import pytest
from django.utils import timezone

from torrents.list_selectors import (
    ListFilters,
    matched_kept,
    torrent_facets,
    torrents_filtered,
    torrents_found,
)
from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.services.labels import torrent_labels_set
from torrents.stalled import STALLED, stalled_test
from torrents.tests.intake_support import alice, bob, boss  # noqa: F401 (fixtures)
from torrents.tests.pages_support import make_rows

pytestmark = pytest.mark.django_db

S = TorrentStatus
MIX = [
    # (status, stalled, alice's host, name, labelled, bob co-owns on another host)
    (S.DOWNLOADING, True, "a.example", "linux iso", True, False),
    (S.DOWNLOADING, True, "b.example", "film", False, True),
    (S.DOWNLOADING, False, "a.example", "linux tools", False, False),
    (S.SEEDING, False, "a.example", "album", True, True),
    (S.SEEDING, False, "b.example", "linux docs", False, False),
    (S.SEEDING, False, "", "no tracker", True, False),
    (S.PAUSED, False, "b.example", "paused linux", False, False),
    (S.ERROR, False, "c.example", "broken", True, False),
]


@pytest.fixture
def library(alice, bob):  # noqa: F811
    long_ago = timezone.now() - dt.timedelta(days=1)
    for status, stalled, host, name, labelled, shared in MIX:
        owners = [alice, bob] if shared else [alice]
        (torrent,) = make_rows(owners, 1, status=status, name=name)
        if stalled:
            type(torrent).objects.filter(pk=torrent.pk).update(stalled_since=long_ago)
        Ownership.objects.filter(torrent=torrent, user=alice).update(tracker_host=host)
        Ownership.objects.filter(torrent=torrent, user=bob).update(tracker_host="bob.example")
        if labelled:
            torrent_labels_set(user=alice, torrent=torrent, names=["keep"])


def truth(user, filters: ListFilters) -> tuple[dict, dict]:
    """The counts from the torrents the list shows, one by one."""
    is_stalled = stalled_test()
    shown = torrents_filtered(user, filters.without("status"))
    statuses = Counter(t.status for t in shown)
    stalled = sum(is_stalled(t.status, t.stalled_since) for t in shown)
    hosts = Counter(
        Ownership.objects.get(torrent=t, user=user).tracker_host
        for t in torrents_filtered(user, filters.without("tracker"))
    )
    hosts.pop("", None)
    return {**statuses, **({STALLED: stalled} if statuses else {})}, dict(hosts)


def test_every_combination_of_filters_counts_what_the_list_shows(alice, library):  # noqa: F811
    status_choices = [
        (),
        (S.SEEDING,),
        (STALLED,),
        (S.DOWNLOADING, STALLED),
        (S.PAUSED, S.ERROR),
    ]
    combos = itertools.product(
        status_choices, ("", "a.example", "b.example"), ("", "linux", "keep"), ("", "keep")
    )
    for statuses, tracker, q, label in combos:
        filters = ListFilters(statuses=statuses, tracker=tracker, q=q, label=label)
        facets = torrent_facets(alice, filters, version="fresh")
        got_statuses = {**facets["status"], **facets["stalled"]}
        want_statuses, want_hosts = truth(alice, filters)
        got_statuses = {k: v for k, v in got_statuses.items() if v}
        want_statuses = {k: v for k, v in want_statuses.items() if v}
        assert got_statuses == want_statuses, filters
        assert facets["tracker"] == want_hosts, filters
        labelled = torrents_filtered(alice, filters.without("label")).filter(
            ownerships__user=alice, ownerships__ownership_labels__label__name="keep"
        )
        assert facets["label"] == {"keep": labelled.count()}, filters
        if q:  # the list's own count when searching, and the ranked page's candidates
            shown = torrents_filtered(alice, filters)
            assert torrents_found(alice, filters, facets) == (shown.count(), False), filters
            assert matched_kept(alice, filters) == {t.pk for t in shown}, filters


@pytest.fixture
def staff_library(library, boss):  # noqa: F811
    """The library, with the admin a co-owner of two torrents (one on a host of their own, one
    with no tracker), labelled "keep" by them, and a removed torrent (no owner left)."""
    for name, host in (("broken", "boss.example"), ("no tracker", "")):
        torrent = Torrent.objects.get(name=name)
        Ownership.objects.create(user=boss, torrent=torrent, tracker_host=host)
        torrent_labels_set(user=boss, torrent=torrent, names=["keep"])
    (removed,) = make_rows([boss], 1, status=S.REMOVED, name="removed linux")
    Ownership.objects.filter(torrent=removed).delete()


def picked(user, filters: ListFilters, **change) -> int:
    """How many rows the list shows with one dimension's value picked."""
    return torrents_filtered(user, dataclasses.replace(filters, **change)).count()


def test_staff_counts_are_what_the_list_shows_per_value(alice, bob, boss, staff_library):  # noqa: F811
    status_choices = [(), (S.SEEDING,), (STALLED,), (S.DOWNLOADING, STALLED)]
    combos = itertools.product(
        status_choices,
        ("", "a.example", "bob.example"),
        ("", "linux", "keep"),
        ("", "keep"),
        ("", alice.email, bob.email),
    )
    every_host = set(
        Ownership.objects.exclude(tracker_host="").values_list("tracker_host", flat=True)
    )
    for statuses, tracker, q, label, owner in combos:
        filters = ListFilters(statuses=statuses, tracker=tracker, q=q, label=label, owner=owner)
        facets = torrent_facets(boss, filters, version="fresh")
        got = {**facets["status"], **facets["stalled"]}
        for status in set(S.values) | {STALLED}:
            want = picked(boss, filters.without("status"), statuses=(status,))
            assert got.get(status, 0) == want, (filters, status)
        for host in every_host:
            want = picked(boss, filters.without("tracker"), tracker=host)
            assert facets["tracker"].get(host, 0) == want, (filters, host)
        assert facets["label"] == {"keep": picked(boss, filters, label="keep")}, filters
        if q:
            assert torrents_found(boss, filters, facets) == (picked(boss, filters), False), filters
            shown = torrents_filtered(boss, filters).values_list("pk", flat=True)
            assert matched_kept(boss, filters) == set(shown), filters

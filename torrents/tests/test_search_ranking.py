"""Postgres' full-text search (torrents/search/postgres.py): ranking (a name match before a
label match before a file-path match, whatever their age), release names split on dots,
dashes and underscores, websearch syntax (`-word`, quotes, `or`), the last word a prefix as
you type, and an explicit sort winning over the ranking."""

import pytest
from django.db import connection

from torrents.services.labels import torrent_labels_set
from torrents.tests.intake_support import alice, bob  # noqa: F401 (fixtures)
from torrents.tests.search_support import api_names, page_names, with_files

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="Postgres full-text search"),
]


def test_a_name_match_comes_before_a_label_match_before_a_file_path_match(alice):  # noqa: F811
    named = with_files([alice], "Sintel 2010")
    labelled = with_files([alice], "Open movie")
    torrent_labels_set(user=alice, torrent=labelled, names=["sintel"])
    in_file = with_files([alice], "Blender collection", ["films/sintel.mkv"])  # newest
    expected = [named.name, labelled.name, in_file.name]
    assert api_names(alice, "sintel") == expected
    assert page_names(alice, "sintel") == expected
    # Without a search, or with a sort asked for, the usual order.
    assert page_names(alice, "") == expected[::-1]
    assert page_names(alice, "sintel", sort="-added") == expected[::-1]
    assert api_names(alice, "sintel", ordering="-created_at") == expected[::-1]
    assert page_names(alice, "sintel", sort="name") == sorted(expected)


def test_release_names_are_split_on_dots_dashes_and_underscores(alice):  # noqa: F811
    release = with_files([alice], "Big.Buck.Bunny.2008.1080p_BluRay.x264-GRP")
    with_files([alice], "Bunny rabbit care")
    assert api_names(alice, "buck bunny") == [release.name]
    assert api_names(alice, "bluray 1080p") == [release.name]
    assert api_names(alice, "x264-GRP") == [release.name]
    assert api_names(alice, "Big.Buck") == [release.name]
    assert api_names(alice, "grp") == [release.name]
    # A file path's folders and names are words too.
    in_file = with_files([alice], "Pack", ["Some_Folder/episode-03.final.mkv"])
    assert api_names(alice, "folder final") == [in_file.name]
    assert api_names(alice, "pack episode") == [in_file.name]  # its name and a file's path


def test_websearch_syntax_minus_quotes_and_or(alice):  # noqa: F811
    cam = with_files([alice], "Bunny.2008.CAM")
    good = with_files([alice], "Bunny.2008.BluRay")
    other = with_files([alice], "Sintel.2010")
    assert api_names(alice, "bunny -cam") == [good.name]
    assert set(api_names(alice, "bunny")) == {cam.name, good.name}
    assert set(api_names(alice, "cam or sintel")) == {cam.name, other.name}
    swapped = with_files([alice], "2008 Bunny")
    assert set(api_names(alice, '"bunny 2008"')) == {cam.name, good.name}
    assert swapped.name in api_names(alice, "bunny 2008")
    # "-word" excludes a torrent even when one of its files matches.
    with_files([alice], "Bunny.CAM.rip", ["bunny.2008.sample.mkv"])
    assert "Bunny.CAM.rip" not in api_names(alice, "sample -cam")


def test_a_label_without_a_word_of_the_query_never_brings_a_torrent_back(alice):  # noqa: F811
    in_file = with_files([alice], "Bunny.2008", ["extras/cam.mkv"])  # "-cam" excludes it
    torrent_labels_set(user=alice, torrent=in_file, names=["keep"])
    labelled = with_files([alice], "Open movie")
    torrent_labels_set(user=alice, torrent=labelled, names=["bunny"])  # a label of the query
    assert api_names(alice, "bunny -cam") == [labelled.name]
    assert page_names(alice, "bunny -cam") == [labelled.name]


def test_a_label_holding_the_whole_query_finds_every_torrent_it_is_on(alice):  # noqa: F811
    # Such a label's links are read without matching their torrents' words (postgres.py's
    # `_holding`): the same torrents as when the database matches label and name together.
    both = with_files([alice], "Open movie")
    torrent_labels_set(user=alice, torrent=both, names=["linux mint"])
    split = with_files([alice], "Mint tea")  # one word in its label, one in its name
    torrent_labels_set(user=alice, torrent=split, names=["linux"])
    named = with_files([alice], "Linux.ISO")
    assert set(api_names(alice, "linux mint")) == {both.name, split.name}
    assert set(page_names(alice, "mint linux")) == {both.name, split.name}
    assert set(api_names(alice, "linu")) == {both.name, split.name, named.name}  # a prefix
    assert api_names(alice, "linux mint iso") == []
    # Not plain words: the database decides ("-mint" drops the label and the name holding it).
    assert api_names(alice, "linux -mint") == [named.name]
    assert set(api_names(alice, "iso or mint")) == {named.name, both.name, split.name}
    assert api_names(alice, '"mint linux"') == []  # a phrase: the words in that order
    # Whether a label holds the query is Postgres' say, its lowercasing included: Python's
    # lower() makes a final sigma of "ΟΔΟΣ", Postgres a plain one.
    greek = with_files([alice], "Unrelated thing")
    torrent_labels_set(user=alice, torrent=greek, names=["ΟΔΟΣ"])
    assert api_names(alice, "οδος") == []
    assert page_names(alice, "οδος") == []


def test_the_last_word_is_a_prefix_as_you_type(alice):  # noqa: F811
    release = with_files([alice], "Elephants.Dream.2006")
    with_files([alice], "Elegant code")
    assert api_names(alice, "eleph") == [release.name]
    assert api_names(alice, "dream eleph") == [release.name]
    assert set(api_names(alice, "el")) == {release.name, "Elegant code"}
    assert api_names(alice, "elephants dre") == [release.name]
    assert api_names(alice, "eleph -dream") == []  # only a plain last word is a prefix
    assert set(api_names(alice, "elegant or dre")) == {release.name, "Elegant code"}
    assert api_names(alice, '"elephants dre"') == []  # a phrase is whole words


def test_counts_of_a_ranked_search_on_the_page(alice, bob):  # noqa: F811
    with_files([alice], "Sintel.2010", status="seeding")
    with_files([alice, bob], "Blender", ["sintel.mkv"], status="paused")
    with_files([bob], "Sintel.bob")
    html_names = page_names(alice, "sintel")
    assert html_names == ["Sintel.2010", "Blender"]
    assert api_names(bob, "sintel") == ["Sintel.bob", "Blender"]

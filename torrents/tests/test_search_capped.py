"""A ranked search reads at most the newest RANKED_MAX matches (torrents/search/ranked.py): the
count says so (`count_capped`), the cap is taken after visibility and the other filters, the
pages stop at the capped count, and below the cap every match is ranked and counted as before.
The cap is made 2 here (it is 10,000) so that three rows show it."""

import pytest
from django.db import connection

from seedbox.testing import api_client as api
from torrents.search import ranked
from torrents.tests.intake_support import alice, bob, boss  # noqa: F401 (fixtures)
from torrents.tests.search_support import with_files

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"


def _search(user, q: str, **params) -> dict:
    response = api(user).get("/api/torrents", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def _names(body: dict) -> list[str]:
    return [row["name"] for row in body["results"]]


def test_more_matches_than_the_cap_are_said_to_be_capped(alice, bob, boss, monkeypatch):  # noqa: F811
    oldest = with_files([alice], "Sintel 2010", status="seeding")  # the best match, oldest
    with_files([alice], "Blender A", ["films/sintel.mkv"])
    newest = with_files([alice], "Blender B", ["films/sintel.mkv"])
    with_files([bob], "Sintel.bob")

    every = _search(alice, "sintel")
    assert (every["count"], every["count_capped"]) == (3, False)
    if POSTGRES:  # ranked: the name match first, whatever its age
        assert _names(every) == ["Sintel 2010", "Blender B", "Blender A"]

    monkeypatch.setattr(ranked, "RANKED_MAX", 2)
    capped = _search(alice, "sintel")
    assert (capped["count"], capped["count_capped"]) == (2, True)
    assert _names(capped) == ["Blender B", "Blender A"]  # the newest two, ranked
    assert capped["results"][0]["matched_files"][0]["path"] == "films/sintel.mkv"
    # Pages stop at the capped count; "last" is the last of them.
    second = _search(alice, "sintel", page_size=1, page=2)
    assert (_names(second), second["next"], second["count"]) == (["Blender A"], None, 2)
    assert _names(_search(alice, "sintel", page_size=1, page="last")) == ["Blender A"]
    for page in (3, "x", 0):
        response = api(alice).get("/api/torrents", {"q": "sintel", "page_size": 1, "page": page})
        assert response.status_code == 404, (page, response.content)

    # The cap is of what the caller sees under every filter, not of the library.
    assert (_search(bob, "sintel")["count"], _search(bob, "sintel")["count_capped"]) == (1, False)
    seeding = _search(alice, "sintel", status="seeding")
    assert (_names(seeding), seeding["count_capped"]) == ([oldest.name], False)
    admin = _search(boss, "sintel")
    assert (admin["count"], admin["count_capped"]) == (2, True)
    assert set(_names(admin)) == {"Sintel.bob", newest.name}
    # An explicit sort pages every match, counted exactly.
    sorted_ = _search(alice, "sintel", ordering="-created_at")
    assert (sorted_["count"], sorted_["count_capped"]) == (3, False)
    assert _names(sorted_) == ["Blender B", "Blender A", "Sintel 2010"]
    assert "count_capped" not in api(alice).get("/api/torrents").json()

"""Labels in the pages: chips on the list rows (each owner's own, through the rendered-row
cache), the label filter with its counts, bulk add and remove, labels at add, the torrent
page's editor (htmx), the labels page, and the palette's colours in the stylesheet."""

import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from torrents.models import Label, Torrent
from torrents.services.labels import PALETTE, torrent_labels_set
from torrents.tests.pages_support import client_for, make_rows, offline_node

pytestmark = pytest.mark.django_db
TRACKER = "http://127.0.0.1:6969/announce"


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="t-(\d+)"', html)]


def chips_of(html: str, torrent: Torrent) -> list[str]:
    row = html.split(f'<tr id="t-{torrent.pk}"', 1)[1].split("</tr>", 1)[0]
    return [html_lib.unescape(n) for n in re.findall(r'class="chip-name">([^<]+)<', row)]


def names(user) -> list[str]:
    return sorted(Label.objects.filter(user=user).values_list("name", flat=True))


def labels_on(user, torrent: Torrent) -> list[str]:
    return sorted(
        Label.objects.filter(user=user, ownerships__torrent=torrent).values_list("name", flat=True)
    )


def test_each_owner_sees_their_own_chips_on_the_same_row(alice, bob):
    (shared,) = make_rows([alice, bob], 1)
    torrent_labels_set(user=alice, torrent=shared, names=["alice's"])
    torrent_labels_set(user=bob, torrent=shared, names=["bob's", "films"])
    # The rendered row is cached per process by its columns: it must not hand one owner's
    # chips to the other.
    for _ in range(2):
        assert chips_of(client_for(alice).get("/").content.decode(), shared) == ["alice's"]
        assert chips_of(client_for(bob).get("/").content.decode(), shared) == ["bob's", "films"]
    torrent_labels_set(user=alice, torrent=shared, names=["changed"])
    assert chips_of(client_for(alice).get("/").content.decode(), shared) == ["changed"]


def test_chips_carry_their_colour_and_link_to_the_filter(alice):
    (torrent,) = make_rows([alice], 1)
    torrent_labels_set(user=alice, torrent=torrent, names=["to watch"])
    Label.objects.filter(user=alice).update(colour="#d62728")
    Torrent.objects.filter(pk=torrent.pk).update(name="recoloured")  # a new row state
    html = client_for(alice).get("/").content.decode()
    assert 'data-colour="#d62728" href="/?label=to%20watch"' in html


def test_the_list_page_filters_by_label_with_counts(alice, admin):
    linux = make_rows([alice], 3)
    other = make_rows([alice], 2)
    for torrent in linux:
        torrent_labels_set(user=alice, torrent=torrent, names=["linux"])
    torrent_labels_set(user=alice, torrent=other[0], names=["films"])
    client = client_for(alice)
    html = client.get("/?label=Linux").content.decode()
    assert sorted(row_ids(html)) == sorted(t.pk for t in linux)
    assert "of 3 torrents" in html
    filters = html.split('id="label-filters"', 1)[1].split("</nav>", 1)[0]
    counts = re.findall(r'class="chip-name">([^<]+)</span> <span class="chip-count">(\d+)', filters)
    assert counts == [("films", "1"), ("linux", "3")]
    assert 'aria-current="true"><span class="chip-name">linux' in filters
    # Counts are within the other filters; the poll keeps the label.
    html = client.get("/?q=nothing-matches").content.decode()
    assert ("linux", "0") in re.findall(
        r'class="chip-name">([^<]+)</span> <span class="chip-count">(\d+)', html
    )
    fragment = client.get("/torrents/rows/?label=linux").content.decode()
    assert sorted(row_ids(fragment)) == sorted(t.pk for t in linux)
    # An admin sees every torrent; the label is theirs, and they have none of that name.
    assert row_ids(client_for(admin).get("/?label=linux").content.decode()) == []


def test_bulk_add_and_remove_a_label_ignores_other_peoples_ids(alice, bob):
    mine = make_rows([alice], 2)
    (theirs,) = make_rows([bob], 1)
    client = client_for(alice)
    ids = [mine[0].pk, mine[1].pk, theirs.pk]
    response = client.post(
        "/torrents/bulk/",
        {"action": "label-add", "label_name": "Batch", "ids": ids, "next": "/?sort=name"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/?sort=name"
    assert "Labelled 2 torrents “Batch”" in response.content.decode()
    assert [labels_on(alice, t) for t in mine] == [["Batch"], ["Batch"]]
    assert labels_on(bob, theirs) == []
    assert names(bob) == []
    client.post(
        "/torrents/bulk/", {"action": "label-remove", "label_name": "batch", "ids": ids[:1]}
    )
    assert [labels_on(alice, t) for t in mine] == [[], ["Batch"]]
    bad = client.post(
        "/torrents/bulk/", {"action": "label-add", "label_name": "a,b", "ids": ids}, follow=True
    )
    assert "cannot hold a comma" in bad.content.decode()


def test_labels_at_add_on_the_add_page(alice):
    offline_node()
    html = client_for(alice).get("/torrents/add/").content.decode()
    for way in ("torrents", "magnets", "with-data", "data"):
        form = html.split(f'id="form-{way}"', 1)[1].split("</form>", 1)[0]
        assert f'name="labels" id="id_labels_{way}"' in form
    magnet = f"magnet:?xt=urn:btih:{'ef' * 20}&tr={TRACKER}"
    response = client_for(alice).post(
        "/torrents/add/", {"way": "magnets", "magnets": magnet, "labels": "linux, ISO"}
    )
    assert response.status_code == 200
    assert labels_on(alice, Torrent.objects.get(info_hash="ef" * 20)) == ["ISO", "linux"]
    refused = client_for(alice).post(
        "/torrents/add/",
        {"way": "magnets", "magnets": magnet.replace("ef", "01"), "labels": "x" * 40},
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "labels: a label is at most 32 characters" in body
    assert f'value="{"x" * 40}"' in body  # what they typed stays


def test_the_torrent_page_edits_the_owners_labels_with_htmx(alice, bob, admin):
    (torrent,) = make_rows([alice], 1)
    url = f"/torrents/{torrent.pk}/labels/"
    client = client_for(alice)
    page = client.get(f"/torrents/{torrent.pk}/").content.decode()
    assert 'id="torrent-labels"' in page
    assert 'id="no-labels"' in page
    card = client.post(url, {"labels": "linux, iso"}, HTTP_HX_REQUEST="true").content.decode()
    assert card.startswith("<section")
    assert 'id="labels-saved"' in card
    assert re.findall(r'class="chip-name">([^<]+)<', card) == ["iso", "linux"]
    bad = client.post(url, {"labels": "a" * 40}, HTTP_HX_REQUEST="true").content.decode()
    assert "at most 32" in bad
    assert labels_on(alice, torrent) == ["iso", "linux"]
    # Without JS: back to the page.
    assert client.post(url, {"labels": ""})["Location"] == f"/torrents/{torrent.pk}/"
    assert labels_on(alice, torrent) == []
    assert client_for(bob).post(url, {"labels": "x"}).status_code == 404
    assert client_for(None).post(url, {"labels": "x"}).status_code == 302
    staff_page = client_for(admin).get(f"/torrents/{torrent.pk}/").content.decode()
    assert 'id="labels-not-owner"' in staff_page
    assert 'id="labels-form"' not in staff_page


def test_the_labels_page_renames_recolours_and_deletes(alice, bob):
    (torrent,) = make_rows([alice], 1)
    torrent_labels_set(user=alice, torrent=torrent, names=["old"])
    label = Label.objects.get(user=alice)
    client = client_for(alice)
    assert f'data-label-id="{label.pk}"' in client.get("/labels/").content.decode()
    client.post(
        "/labels/", {"action": "update", "id": label.pk, "name": "New", "colour": "#9467bd"}
    )
    label.refresh_from_db()
    assert (label.name, label.colour) == ("New", "#9467bd")
    assert chips_of(client.get("/").content.decode(), torrent) == ["New"]
    client.post("/labels/", {"action": "create", "name": "Fresh", "colour": ""})
    assert names(alice) == ["Fresh", "New"]
    # Another user's label id: not found, nothing done.
    assert client_for(bob).post("/labels/", {"action": "delete", "id": label.pk}).status_code == 404
    client.post("/labels/", {"action": "delete", "id": label.pk})
    assert names(alice) == ["Fresh"]
    assert labels_on(alice, torrent) == []


def test_the_list_page_reads_its_labels_in_a_constant_number_of_queries(alice):
    def count() -> int:
        client = client_for(alice)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/?label=a").status_code == 200
        return len(captured)

    for torrent in make_rows([alice], 2):
        torrent_labels_set(user=alice, torrent=torrent, names=["a", "b"])
    small = count()
    for torrent in make_rows([alice], 30):
        torrent_labels_set(user=alice, torrent=torrent, names=["a", "b", "c"])
    assert count() == small


def test_the_stylesheet_has_every_palette_colour():
    css = (Path(settings.BASE_DIR) / "static/css/labels.css").read_text()
    for colour in PALETTE:
        assert f'[data-colour="{colour}"] {{ --chip: {colour}; }}' in css

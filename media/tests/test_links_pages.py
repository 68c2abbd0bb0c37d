"""The pages: the torrent page's "Share and links" panel and per-file "Link" action (owners
only), the forms (htmx fragment or the whole /links/ page), the /links/ page with its revoke
buttons; another user's link is a 404."""

from django.test import Client

from media.models import DirectLink, ShareLink
from media.tests import links_support
from media.tests.links_support import file_id
from torrents.models import TorrentFile
from torrents.services.file_priorities import SKIP

library, media_samples = links_support.library, links_support.media_samples


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_torrent_page_has_the_panel_and_a_link_per_file_for_owners(library, owner, admin):
    TorrentFile.objects.filter(torrent=library, path="top.bin").update(priority=SKIP)
    html = logged_in(owner).get(f"/torrents/{library.pk}/").content.decode()
    assert 'id="links-panel"' in html
    assert 'id="direct-link-form"' in html
    assert 'id="share-link-form"' in html
    assert '<option value="album">album/ (zip)</option>' in html
    assert html.count('data-testid="file-link"') == 4  # five files, one skipped
    assert f'id="file-link-{file_id(library, "top.bin")}"' not in html
    # An admin sees the torrent but cannot link what is not theirs.
    html = logged_in(admin).get(f"/torrents/{library.pk}/").content.decode()
    assert 'id="links-panel"' not in html
    assert 'data-testid="file-link"' not in html


def test_the_per_file_form_carries_a_working_csrf_token(library, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    html = client.get(f"/torrents/{library.pk}/").content.decode()
    form = html.split('class="inline file-link"')[1]
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    fid = file_id(library, "top.bin")
    answer = client.post(
        "/links/direct",
        {"torrent": library.pk, "file": fid, "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    assert DirectLink.objects.get().file_id == fid
    assert client.post("/links/direct", {"torrent": library.pk}).status_code == 403


def test_the_link_form_answers_htmx_with_the_url_in_place(library, owner, settings):
    settings.SEEDBOX_SITE_URL = "https://box.example"
    client = logged_in(owner)
    fid = file_id(library, "album/one.mp4")
    answer = client.post(
        "/links/direct", {"torrent": library.pk, "file": fid}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert 'data-testid="link-made"' in html
    assert 'value="https://box.example/d/' in html
    assert "/one.mp4" in html
    assert "<html" not in html  # a fragment
    link = DirectLink.objects.get()
    assert link.file_id == fid
    # Errors too come back in place.
    bad = client.post(
        "/links/share", {"torrent": library.pk, "folder": "nowhere"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="link-error"' in bad.content.decode()
    assert not ShareLink.objects.exists()


def test_without_htmx_the_links_page_shows_the_new_url_once(library, owner, other):
    client = logged_in(owner)
    answer = client.post(
        "/links/share", {"torrent": library.pk, "password": "pw", "folder": "album"}
    )
    assert answer.status_code == 201
    assert "/s/" in answer.content.decode()
    assert "shown only this once" in answer.content.decode()
    page = client.get("/links/").content.decode()
    assert "/s/" not in page  # never again
    assert "album/" in page
    assert logged_in(other).post("/links/direct", {"torrent": library.pk}).status_code == 404


def test_revoke_buttons_and_another_users_link(library, owner, other):
    client = logged_in(owner)
    client.post("/links/direct", {"torrent": library.pk})
    client.post("/links/share", {"torrent": library.pk})
    direct, shared = DirectLink.objects.get(), ShareLink.objects.get()
    page = client.get("/links/").content.decode()
    assert f"/links/direct/{direct.pk}/revoke" in page
    assert f"/links/share/{shared.pk}/revoke" in page
    stranger = logged_in(other)
    assert stranger.post(f"/links/direct/{direct.pk}/revoke").status_code == 404
    assert stranger.post(f"/links/share/{shared.pk}/revoke").status_code == 404
    assert owner.email not in stranger.get("/links/").content.decode()
    assert client.post(f"/links/direct/{direct.pk}/revoke").status_code == 302
    assert client.post(f"/links/share/{shared.pk}/revoke").status_code == 302
    direct.refresh_from_db()
    shared.refresh_from_db()
    assert direct.revoked_at is not None
    assert shared.revoked_at is not None
    page = client.get("/links/").content.decode()
    assert page.count(">revoked<") == 2
    assert Client().get("/links/").status_code == 302  # to the login page

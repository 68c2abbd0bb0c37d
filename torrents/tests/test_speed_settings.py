"""Speed limits and seeding rules through the API and the pages, with a real rTorrent: an owner
sets a per-torrent limit only within their cap (and rTorrent's group follows); a cap is for
admins only, on the API and the pages alike; personas get 404 / 400 as for every control."""

import pytest

from torrents.models import Ownership, Torrent, TorrentStatus
from torrents.services.nodes import node_client
from torrents.services.seeding import Rule, seeding_floor
from torrents.services.throttle import own_group, pool_group
from torrents.tests.helpers_sync import add_torrent, api, committed
from torrents.tests.pages_support import client_for


@pytest.fixture
def running(node, owner, tmp_path) -> Torrent:
    owner.upload_cap_kib = 200
    owner.save(update_fields=["upload_cap_kib"])
    return add_torrent(node, [owner], tmp_path, name="lim.bin", start=True)


def _patch(user, torrent, body):
    return committed(lambda: api(user).patch(f"/api/torrents/{torrent.pk}", body, format="json"))


def test_an_owner_limits_a_torrent_below_their_cap_and_rtorrent_follows(node, running, owner):
    h = running.info_hash.upper()
    answer = _patch(owner, running, {"upload_limit_kib": 500})
    assert answer.status_code == 400
    assert "cap is 200 KiB/s" in answer.json()["detail"]
    assert Ownership.objects.get(torrent=running).upload_limit_kib is None

    answer = _patch(owner, running, {"upload_limit_kib": 80, "seed_ratio": 1.5})
    assert answer.status_code == 200, answer.json()
    client = node_client(node)
    assert client.call("d.throttle_name", h) == own_group(running.pk)
    assert client.throttle_group_max(own_group(running.pk))[0] == 80 * 1024
    body = api(owner).get(f"/api/torrents/{running.pk}").json()
    assert body["upload_limit_kib"] == 80
    assert body["download_limit_kib"] is None
    assert body["seed_ratio"] == 1.5

    # Back to no limit of its own: the user's shared group at the cap.
    assert _patch(owner, running, {"upload_limit_kib": None}).status_code == 200
    assert client.call("d.throttle_name", h) == pool_group(owner.pk)
    assert client.throttle_group_max(pool_group(owner.pk))[0] == 200 * 1024

    for bad in ({"upload_limit_kib": 0}, {"upload_limit_kib": "9"}, {"seed_ratio": -1}):
        assert _patch(owner, running, bad).status_code == 400, bad


def test_others_get_404_and_an_admin_who_does_not_own_it_sets_nothing(running, other, admin):
    assert _patch(other, running, {"upload_limit_kib": 10}).status_code == 404
    answer = _patch(admin, running, {"upload_limit_kib": 10})
    assert answer.status_code == 400
    assert "only an owner" in answer.json()["detail"]
    assert api(admin).get(f"/api/torrents/{running.pk}").json()["upload_limit_kib"] is None


def test_a_user_cannot_raise_their_own_cap_on_the_api_or_the_pages(node, running, owner, admin):
    answer = committed(lambda: api(owner).patch("/api/users/me", {"upload_cap_kib": 100000}))
    assert answer.status_code == 400
    assert "upload_cap_kib" in answer.json()
    page = client_for(owner)
    response = page.post("/accounts/seeding/", {"seed_ratio": "2", "upload_cap_kib": "100000"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.upload_cap_kib == 200
    assert owner.seed_ratio == 2.0
    # The torrent page's form takes a limit below the cap only.
    page.post(f"/torrents/{running.pk}/settings/", {"upload_limit_kib": "900"})
    assert Ownership.objects.get(torrent=running).upload_limit_kib is None
    html = page.get(f"/torrents/{running.pk}/").content.decode()
    assert "cap is 200 KiB/s" in html
    assert 'id="speed-seeding"' in html

    # An admin sets it, and rTorrent's group follows.
    answer = committed(
        lambda: api(admin).patch(f"/api/users/{owner.pk}", {"upload_cap_kib": 300}, format="json")
    )
    assert answer.status_code == 200
    assert answer.json()["upload_cap_kib"] == 300
    client = node_client(node)
    assert client.throttle_group_max(pool_group(owner.pk))[0] == 300 * 1024
    assert client.call("d.throttle_name", running.info_hash.upper()) == pool_group(owner.pk)


def test_the_user_sets_their_default_seeding_rule_on_the_api_and_the_account_page(owner):
    answer = api(owner).patch("/api/users/me", {"seed_ratio": 2.5, "seed_hours": 48}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["seed_ratio"], answer.json()["seed_hours"]) == (2.5, 48.0)
    assert api(owner).patch("/api/users/me", {"seed_hours": 0}, format="json").status_code == 400
    page = client_for(owner)
    html = page.get("/accounts/").content.decode()
    assert 'id="seeding-form"' in html
    assert 'value="2.5"' in html
    assert page.post("/accounts/seeding/", {"seed_ratio": "-3"}).status_code == 400
    response = page.post("/accounts/seeding/", {"seed_ratio": "", "seed_hours": ""})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.seed_ratio, owner.seed_hours) == (None, None)


def test_a_rule_stop_shows_on_the_row_and_the_page(node, owner, tmp_path):
    torrent = add_torrent(node, [owner], tmp_path, load=False, status=TorrentStatus.STOPPED)
    message = "Stopped: ratio 2.00 reached (rule 2)"
    Torrent.objects.filter(pk=torrent.pk).update(stop_reason=message, status_message=message)
    page = client_for(owner)
    assert message in page.get("/").content.decode()
    assert message in page.get(f"/torrents/{torrent.pk}/").content.decode()


def test_admins_set_caps_node_limits_and_the_floor_in_the_django_admin(node, running, owner, admin):
    page = client_for(admin)
    html = page.get(f"/admin/accounts/user/{owner.pk}/change/").content.decode()
    assert 'name="upload_cap_kib"' in html
    response = committed(
        lambda: page.post(
            f"/admin/torrents/node/{node.pk}/change/",
            {
                "name": node.name,
                "rpc_url": node.rpc_url,
                "data_root": node.data_root,
                "enabled": "on",
                "upload_limit_kib": "1000",
                "download_limit_kib": "0",
            },
        )
    )
    assert response.status_code == 302
    assert node_client(node).global_limits()[0] == 1000 * 1024
    response = page.post(
        "/admin/torrents/seedingfloor/add/", {"min_ratio": "1.0", "min_hours": "72"}
    )
    assert response.status_code == 302
    assert seeding_floor() == Rule(ratio=1.0, hours=72.0)
    assert page.get("/admin/torrents/seedingfloor/add/").status_code == 403  # one row only
    server = api(admin).get("/api/server").json()
    assert server["nodes"][0]["upload_limit_kib"] == 1000
    assert server["seeding_floor"] == {"min_ratio": 1.0, "min_hours": 72.0}

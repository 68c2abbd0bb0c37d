"""GET /api/health against a real database, Redis and rTorrent."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthy_stack_answers_200_with_the_rtorrent_version(client, node):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "rtorrent": [{"node": "test", "ok": True, "version": "0.9.8"}],
    }


@pytest.mark.django_db
def test_a_node_that_is_down_gives_503_naming_it(client, node, rtorrent):
    rtorrent.stop()

    response = client.get(reverse("health"))

    assert response.status_code == 503
    [entry] = response.json()["rtorrent"]
    assert entry["node"] == "test"
    assert entry["ok"] is False
    assert "unreachable" in entry["error"]


@pytest.mark.django_db
def test_a_broker_that_is_down_gives_503(client, node, settings, tmp_path):
    settings.REDIS_URL = f"unix://{tmp_path}/no-redis.sock"

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["broker"].startswith("down:")
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_disabled_nodes_are_not_probed(client, node, rtorrent):
    node.enabled = False
    node.save()
    rtorrent.stop()

    response = client.get(reverse("health"))

    assert response.json()["rtorrent"] == []
    assert response.status_code == 503, "a seedbox with no node cannot download anything"

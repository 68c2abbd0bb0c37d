"""/api/feeds with the four personas: the owner adds, reads, changes, previews and removes; the
cookie and the URL's passkey never come back; another user, an admin and anonymous get 404 (or
401) for the owner's feed. Bad input is a 400 saying what is wrong."""

import pytest

from feeds.models import Feed
from feeds.services.polling import feed_poll
from feeds.tests.feed_server import RSS, magnet, rss

pytestmark = pytest.mark.django_db

ITEMS = [
    {"title": "Show.S01E01.1080p", "guid": "1", "link": magnet(1, "a"), "size": 1000},
    {"title": "Show.S01E02.720p", "guid": "2", "link": magnet(2, "b"), "size": 2000},
]
RULE = {
    "include": "show 1080p", "exclude": "cam", "label": "tv", "paused": True, "min_size": 10,
    "max_size": 5000, "after_episode": "S01E00", "smart_filter": True, "regex": False,
}  # fmt: skip


@pytest.fixture
def feed_url(server):
    server.routes["/rss"] = (rss(ITEMS), RSS)
    return server.url + "/rss?passkey=SECRETKEY"


@pytest.fixture
def owned(user, api_client_for, feed_url) -> dict:
    answer = api_client_for(user).post(
        "/api/feeds",
        {"url": feed_url, "interval": 30, "cookie": "uid=1; pass=COOKIESECRET", "rules": [RULE]},
        format="json",
    )
    assert answer.status_code == 201, answer.data
    return answer.data


def test_the_owner_adds_and_reads_a_feed_without_its_secrets(owned, user, api_client_for):
    assert owned["url"].endswith("/rss?passkey=…")
    assert owned["has_cookie"] is True
    assert owned["rules"] == [RULE | {"after_episode": "S01E00"}]
    listed = api_client_for(user).get("/api/feeds")
    assert [f["id"] for f in listed.data] == [owned["id"]]
    text = (
        listed.content.decode()
        + api_client_for(user).get(f"/api/feeds/{owned['id']}").content.decode()
    )
    assert "SECRETKEY" not in text
    assert "COOKIESECRET" not in text


def test_the_owner_changes_previews_reads_history_and_removes(
    owned, user, api_client_for, offline_node, server
):
    client = api_client_for(user)
    feed_id = owned["id"]
    change = {"interval": 60, "enabled": False, "rules": [{"include": "720p"}]}
    changed = client.patch(f"/api/feeds/{feed_id}", change, format="json")
    assert changed.status_code == 200, changed.data
    assert (changed.data["interval"], changed.data["enabled"]) == (60, False)
    assert [r["include"] for r in changed.data["rules"]] == ["720p"]

    preview = client.post(f"/api/feeds/{feed_id}/preview", {"include": "1080p"}, format="json")
    assert preview.status_code == 200, preview.data
    assert [(i["title"], i["matched"]) for i in preview.data] == [
        ("Show.S01E01.1080p", True),
        ("Show.S01E02.720p", False),
    ]
    assert Feed.objects.get(pk=feed_id).rules.get().include == "720p"  # the preview saved nothing
    assert server.requests[-1][1]["Cookie"] == "uid=1; pass=COOKIESECRET"

    client.patch(f"/api/feeds/{feed_id}", {"enabled": True}, format="json")
    feed_poll(feed_id=feed_id)
    history = client.get(f"/api/feeds/{feed_id}/history")
    assert history.status_code == 200
    rows = {row["title"]: row for row in history.data["results"]}
    assert rows["Show.S01E02.720p"]["state"] == "taken"
    assert rows["Show.S01E02.720p"]["torrent_id"] is not None
    assert rows["Show.S01E01.1080p"]["reason"] == "does not contain '720p'"

    assert client.delete(f"/api/feeds/{feed_id}").status_code == 204
    assert client.get(f"/api/feeds/{feed_id}").status_code == 404


@pytest.mark.parametrize("persona", ["other_user", "admin_user"])
def test_someone_else_gets_404_for_every_operation(owned, persona, request, api_client_for):
    client = api_client_for(request.getfixturevalue(persona))
    feed_id = owned["id"]
    assert client.get(f"/api/feeds/{feed_id}").status_code == 404
    assert client.patch(f"/api/feeds/{feed_id}", {"interval": 99}, format="json").status_code == 404
    assert client.get(f"/api/feeds/{feed_id}/history").status_code == 404
    assert client.post(f"/api/feeds/{feed_id}/preview", {}, format="json").status_code == 404
    assert client.delete(f"/api/feeds/{feed_id}").status_code == 404
    assert client.get("/api/feeds").data == []
    assert Feed.objects.get(pk=feed_id).interval == 30


def test_anonymous_is_401(owned, api_client_for):
    client = api_client_for(None)
    assert client.get("/api/feeds").status_code == 401
    assert client.get(f"/api/feeds/{owned['id']}").status_code == 401
    assert client.post("/api/feeds", {"url": "http://x"}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": ""}, "url: the feed's address is needed"),
        ({"url": "ftp://example.org/rss"}, "only http:// and https://"),
        ({"interval": 1}, "interval: at least 15 minutes"),
        ({"interval": "often"}, "interval: a whole number"),
        (
            {"rules": [{"include": "(", "regex": True}]},
            "include: '(' is not a valid regular expression",
        ),
        ({"rules": [{"after_episode": "episode five"}]}, "after_episode:"),
        ({"rules": [{"min_size": "huge"}]}, "min_size: not a size"),
        ({"rules": [{"label": "a,b"}]}, "label: a label cannot hold a comma"),
        ({"rules": [{"colour": "red"}]}, "unknown fields ['colour']"),
        ({"rules": "all"}, "rules: a list"),
        ({"enabled": "yes"}, "enabled: true or false"),
        ({"secret": "x"}, "unknown fields: secret"),
    ],
)
def test_bad_input_is_400_saying_why(user, api_client_for, feed_url, body, message):
    answer = api_client_for(user).post("/api/feeds", {"url": feed_url, **body}, format="json")
    assert answer.status_code == 400
    assert message in answer.data["detail"]


def test_a_preview_of_a_feed_that_cannot_be_read_is_400(owned, user, api_client_for, server):
    server.routes.pop("/rss")
    answer = api_client_for(user).post(f"/api/feeds/{owned['id']}/preview", {}, format="json")
    assert answer.status_code == 400
    assert "the feed cannot be read now" in answer.data["detail"]
    assert "404" in answer.data["detail"]


def test_the_per_user_limit(user, api_client_for, feed_url, settings):
    settings.SEEDBOX_FEEDS_PER_USER = 1
    client = api_client_for(user)
    assert client.post("/api/feeds", {"url": feed_url}, format="json").status_code == 201
    again = client.post("/api/feeds", {"url": feed_url}, format="json")
    assert again.status_code == 400
    assert "at most 1 feeds" in again.data["detail"]


def test_the_openapi_schema_has_every_feed_operation_and_no_secret(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = {
        path: sorted(schema["paths"][path])
        for path in schema["paths"]
        if path.startswith("/api/feeds")
    }
    assert operations == {
        "/api/feeds": ["get", "post"],
        "/api/feeds/{id}": ["delete", "get", "patch"],
        "/api/feeds/{id}/history": ["get"],
        "/api/feeds/{id}/preview": ["post"],
    }
    parts = schema["components"]["schemas"]
    written = set(parts["FeedWrite"]["properties"])
    assert {"url", "interval", "cookie", "enabled", "rules"} <= written
    assert {"include", "exclude", "label", "paused"} <= set(parts["RuleWrite"]["properties"])
    assert "cookie" not in parts["Feed"]["properties"]
    assert "link" not in parts["HistoryItem"]["properties"]

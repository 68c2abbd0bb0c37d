"""/api/notifications*: the caller's own notifications, paged, `?unread=`; marking read (404
for another's, staff included); the preferences; 401 for anonymous; all in the schema."""

import pytest

from events.kinds import EventKind
from notifications.models import Notification, Preference
from notifications.tests.support import completed, dispatched, run_deliveries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("broker")]


@pytest.fixture
def notes(user, other_user):
    """Two for alice (the older one read), one for bob."""
    completed(user, "old", 1)
    completed(user, "new", 2)
    completed(other_user, "bobs", 3)
    old = Notification.objects.get(user=user, title="Downloaded: old")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    return {
        "old": old,
        "new": Notification.objects.get(user=user, title="Downloaded: new"),
        "bobs": Notification.objects.get(user=other_user),
    }


def test_the_list_is_yours_newest_first_and_paged(api_client_for, user, notes):
    answer = api_client_for(user).get("/api/notifications")
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    assert [(n["title"], n["read"], n["url"]) for n in body["results"]] == [
        ("Downloaded: new", False, "/torrents/2/"),
        ("Downloaded: old", True, "/torrents/1/"),
    ]
    assert body["results"][0]["kind"] == "torrent.completed"
    assert {"next", "previous"} <= set(body)

    unread = api_client_for(user).get("/api/notifications?unread=true").json()
    assert [n["id"] for n in unread["results"]] == [notes["new"].pk]
    read = api_client_for(user).get("/api/notifications?unread=false").json()
    assert [n["id"] for n in read["results"]] == [notes["old"].pk]
    bad = api_client_for(user).get("/api/notifications?unread=yes")
    assert bad.status_code == 400
    assert "true or false" in bad.json()["unread"][0]
    assert api_client_for(user).get("/api/notifications?page=9").status_code == 404


def test_staff_list_only_their_own(api_client_for, admin_user, notes):
    body = api_client_for(admin_user).get("/api/notifications").json()
    assert body["count"] == 0


def test_anonymous_gets_401_everywhere(api_client_for, notes):
    anonymous = api_client_for(None)
    assert anonymous.get("/api/notifications").status_code == 401
    assert anonymous.post(f"/api/notifications/{notes['new'].pk}/read").status_code == 401
    assert anonymous.post("/api/notifications/read-all").status_code == 401
    assert anonymous.get("/api/notifications/preferences").status_code == 401
    assert anonymous.put("/api/notifications/preferences", {}, format="json").status_code == 401


def test_mark_one_read_is_yours_only(api_client_for, user, other_user, admin_user, notes):
    new = notes["new"]
    for stranger in (other_user, admin_user):
        answer = api_client_for(stranger).post(f"/api/notifications/{new.pk}/read")
        assert answer.status_code == 404
    assert Notification.objects.get(pk=new.pk).read_at is None

    answer = api_client_for(user).post(f"/api/notifications/{new.pk}/read")
    assert answer.status_code == 200
    assert answer.json()["read"] is True
    first = Notification.objects.get(pk=new.pk).read_at
    assert first is not None
    again = api_client_for(user).post(f"/api/notifications/{new.pk}/read")
    assert again.status_code == 200
    assert Notification.objects.get(pk=new.pk).read_at == first  # the first reading is kept
    assert api_client_for(user).post("/api/notifications/999999/read").status_code == 404


def test_read_all_is_yours_only(api_client_for, user, other_user, notes):
    completed(user, "newer", 4)
    answer = api_client_for(user).post("/api/notifications/read-all")
    assert answer.json() == {"marked": 2}
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=notes["bobs"].pk).read_at is None
    assert api_client_for(user).post("/api/notifications/read-all").json() == {"marked": 0}


def wanted(body: dict, kind: str, channel: str) -> bool:
    (match,) = [
        p["wanted"] for p in body["preferences"] if (p["kind"], p["channel"]) == (kind, channel)
    ]
    return match


def test_preferences_have_the_defaults_and_staff_kinds_for_staff_only(
    api_client_for, user, admin_user
):
    body = api_client_for(user).get("/api/notifications/preferences").json()
    kinds = {p["kind"] for p in body["preferences"]}
    assert "node.down" not in kinds
    assert "torrent.awaiting_approval" not in kinds
    assert {p["channel"] for p in body["preferences"]} == {"site", "email", "push", "webhook"}
    assert wanted(body, "torrent.completed", "email") is True
    assert wanted(body, "torrent.rejected", "push") is True
    assert wanted(body, "torrent.added", "email") is False
    assert wanted(body, "torrent.added", "site") is True

    staff = api_client_for(admin_user).get("/api/notifications/preferences").json()
    assert {"node.down", "node.up", "torrent.awaiting_approval"} <= {
        p["kind"] for p in staff["preferences"]
    }


def test_put_sets_what_it_lists_and_is_respected(api_client_for, user, mailoutbox):
    client = api_client_for(user)
    answer = client.put(
        "/api/notifications/preferences",
        {
            "preferences": [
                {"kind": "torrent.completed", "channel": "email", "wanted": False},
                {"kind": "torrent.added", "channel": "email", "wanted": True},
            ]
        },
        format="json",
    )
    assert answer.status_code == 200
    assert wanted(answer.json(), "torrent.completed", "email") is False
    assert wanted(answer.json(), "torrent.added", "email") is True
    assert wanted(answer.json(), "torrent.completed", "site") is True  # untouched

    dispatched(EventKind.TORRENT_COMPLETED, [user], name="quiet", torrent_id=1)
    dispatched(EventKind.TORRENT_ADDED, [user], name="loud", torrent_id=2)
    assert run_deliveries() == ["sent"]
    (mail,) = mailoutbox
    assert "Added: loud" in mail.subject


@pytest.mark.parametrize(
    "body",
    [
        {"preferences": [{"kind": "node.down", "channel": "email", "wanted": True}]},  # staff's
        {"preferences": [{"kind": "nope", "channel": "email", "wanted": True}]},
        {"preferences": [{"kind": "torrent.added", "channel": "fax", "wanted": True}]},
        {"preferences": [{"kind": "torrent.added", "channel": "email"}]},
        {
            "preferences": [
                {"kind": "torrent.added", "channel": "email", "wanted": True},
                {"kind": "torrent.added", "channel": "email", "wanted": False},
            ]
        },
        {"nothing": []},
    ],
)
def test_bad_preferences_are_400_and_change_nothing(api_client_for, user, body):
    answer = api_client_for(user).put("/api/notifications/preferences", body, format="json")
    assert answer.status_code == 400, answer.content
    assert not Preference.objects.exists()


def test_a_list_body_is_400(api_client_for, user):
    answer = api_client_for(user).put(
        "/api/notifications/preferences",
        [{"kind": "torrent.added", "channel": "email", "wanted": True}],
        format="json",
    )
    assert answer.status_code == 400


def test_the_schema_has_the_operations(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert set(paths["/api/notifications"]) == {"get"}
    parameters = {p["name"]: p for p in paths["/api/notifications"]["get"]["parameters"]}
    assert parameters["unread"]["schema"]["type"] == "boolean"
    assert "page" in parameters
    assert "post" in paths["/api/notifications/{id}/read"]
    assert "post" in paths["/api/notifications/read-all"]
    assert {"get", "put"} <= set(paths["/api/notifications/preferences"])

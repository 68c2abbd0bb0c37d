"""`/api/webhooks`: the owner's webhooks with all four personas (the owner, another user, an
admin: 404 for both, anonymous: 401), the secret only in the answer that made it, URLs checked
at save, the cap, the test event and the delivery log."""

import pytest

from events.models import Event
from notifications.models import Delivery, Webhook
from notifications.services.webhooks import webhook_create

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.1:9/hook"  # allowed by the setting in these tests; nothing is sent


@pytest.fixture(autouse=True)
def _private_allowed(settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def hook(user):
    webhook, _ = webhook_create(user=user, url=URL)
    return webhook


def paths(pk: int) -> list[tuple[str, str]]:
    base = f"/api/webhooks/{pk}"
    return [
        ("get", base),
        ("patch", base),
        ("delete", base),
        ("post", f"{base}/test"),
        ("get", f"{base}/deliveries"),
    ]


def test_add_list_and_the_secret_shown_once(api_client_for, user):
    client = api_client_for(user)
    made = client.post("/api/webhooks", {"url": URL}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] == Webhook.objects.get(pk=body["id"]).secret
    assert (body["url"], body["enabled"], body["failures"]) == (URL, True, 0)

    listed = client.get("/api/webhooks").json()
    assert [h["id"] for h in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/webhooks/{body['id']}").json()


def test_others_get_404_and_anonymous_401(api_client_for, hook, other_user, admin_user):
    for persona in (other_user, admin_user):
        client = api_client_for(persona)
        assert client.get("/api/webhooks").json() == []
        for method, path in paths(hook.pk):
            answer = getattr(client, method)(path, {"enabled": False}, format="json")
            assert answer.status_code == 404, (persona, method, path)
    anonymous = api_client_for(None)
    assert anonymous.get("/api/webhooks").status_code == 401
    for method, path in paths(hook.pk):
        assert getattr(anonymous, method)(path, {}, format="json").status_code == 401
    hook.refresh_from_db()
    assert hook.enabled
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "give the URL"),
        ({"url": "ftp://example.com/x"}, "only http"),
        ({"url": "https://user:pw@example.com/"}, "user name or password"),
        ({"url": "http://does-not-resolve.invalid/"}, "does not resolve"),
        ({"url": URL, "secret": "mine"}, "unknown fields: secret"),
        ({"url": ["x"]}, "url: Not a valid string"),
    ],
)
def test_a_bad_body_is_a_400_that_says_why(api_client_for, user, body, message):
    answer = api_client_for(user).post("/api/webhooks", body, format="json")
    assert answer.status_code == 400
    assert message in answer.json()["detail"]
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_unless_the_setting_allows_it(api_client_for, user, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False
    client = api_client_for(user)
    for url in (URL, "http://localhost:8000/", "http://[::1]/", "http://169.254.169.254/"):
        answer = client.post("/api/webhooks", {"url": url}, format="json")
        assert answer.status_code == 400, url
        assert "loopback, private" in answer.json()["detail"]
    assert not Webhook.objects.exists()


def test_at_most_the_cap(api_client_for, user, settings):
    settings.SEEDBOX_WEBHOOKS_PER_USER = 2
    client = api_client_for(user)
    for _ in range(2):
        assert client.post("/api/webhooks", {"url": URL}, format="json").status_code == 201
    refused = client.post("/api/webhooks", {"url": URL}, format="json")
    assert refused.status_code == 400
    assert "the most allowed" in refused.json()["detail"]


def test_change_the_url_disable_enable_again_and_a_new_secret(api_client_for, user, hook):
    client = api_client_for(user)
    path = f"/api/webhooks/{hook.pk}"
    bad = client.patch(path, {"url": "gopher://x/"}, format="json")
    assert bad.status_code == 400
    changed = client.patch(path, {"url": "http://127.0.0.2/h", "enabled": False}, format="json")
    assert changed.json()["url"] == "http://127.0.0.2/h"
    assert changed.json()["enabled"] is False
    assert "secret" not in changed.json()

    Webhook.objects.filter(pk=hook.pk).update(failures=5, disabled_reason="it kept failing")
    again = client.patch(path, {"enabled": True}, format="json").json()
    assert (again["enabled"], again["failures"], again["disabled_reason"]) == (True, 0, "")

    old = hook.secret
    renewed = client.patch(path, {"new_secret": True}, format="json").json()
    assert renewed["secret"] != old
    assert Webhook.objects.get(pk=hook.pk).secret == renewed["secret"]

    assert client.patch(path, {"name": "x"}, format="json").status_code == 400
    assert client.delete(path).status_code == 204
    assert not Webhook.objects.exists()


def test_the_test_event_and_the_delivery_log(api_client_for, user, other_user, hook):
    client = api_client_for(user)
    answer = client.post(f"/api/webhooks/{hook.pk}/test")
    assert answer.status_code == 202
    event = Event.objects.get(pk=answer.json()["event"])
    assert (event.kind, event.user_ids) == ("test", [user.pk])
    assert event.payload["channel"] == "webhook"
    assert event.payload["target_id"] == hook.pk

    mine = Delivery.objects.create(
        user=user, kind="test", channel="webhook", target_id=hook.pk, title="t",
        status="pending", attempts=2, last_error="HTTP 500: down",
    )  # fmt: skip
    Delivery.objects.create(user=user, kind="test", channel="email", target_id=0, title="mail")
    Delivery.objects.create(
        user=other_user, kind="test", channel="webhook", target_id=hook.pk + 1, title="theirs"
    )
    log = client.get(f"/api/webhooks/{hook.pk}/deliveries").json()
    assert log["count"] == 1
    (row,) = log["results"]
    assert (row["id"], row["status"], row["attempts"], row["last_error"]) == (
        mine.pk,
        "pending",
        2,
        "HTTP 500: down",
    )

    Webhook.objects.filter(pk=hook.pk).update(enabled=False)
    refused = client.post(f"/api/webhooks/{hook.pk}/test")
    assert refused.status_code == 400
    assert "disabled" in refused.json()["detail"]


def test_in_the_openapi_schema(api_client_for, user):
    schema = api_client_for(user).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/webhooks",
        "/api/webhooks/{id}",
        "/api/webhooks/{id}/test",
        "/api/webhooks/{id}/deliveries",
    ):
        assert path in schema["paths"]
    assert set(schema["paths"]["/api/webhooks/{id}"]) >= {"get", "patch", "delete"}

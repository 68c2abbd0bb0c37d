"""Subscribing browsers (the API and the account page), the owner, another user, an admin and
anonymous; the web app manifest and the service worker as the browser fetches them."""

import json

import pytest
from django.conf import settings as django_settings
from django.test import Client
from PIL import Image

from accounts.testing import PASSWORD
from events.kinds import EventKind
from events.models import Event
from notifications.models import PushSubscription
from notifications.tests.push_service import Browser
from notifications.vapid import vapid_keys

pytestmark = pytest.mark.django_db
# A public address (checked, never connected to): the API looks up hosts, and there is no DNS.
ENDPOINT = "https://8.8.8.8/wpush/abc"


@pytest.fixture(autouse=True)
def _push_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = False


def subscription_json(endpoint: str = ENDPOINT, browser: Browser | None = None) -> dict:
    browser = browser or Browser()
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
    }


def logged_in(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_a_browser_subscribes_and_lists_and_removes_its_subscription(user, api_client_for):
    api = api_client_for(user)
    answer = api.post(
        "/api/push-subscriptions",
        subscription_json(),
        format="json",
        HTTP_USER_AGENT="Phone-Chrome/131",
    )
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert (created["endpoint"], created["user_agent"], created["enabled"]) == (
        ENDPOINT,
        "Phone-Chrome/131",
        True,
    )
    assert [s["id"] for s in api.get("/api/push-subscriptions").json()] == [created["id"]]

    # The same browser subscribing again updates its row.
    again = api.post("/api/push-subscriptions", subscription_json(), format="json")
    assert again.status_code == 201
    assert again.json()["id"] == created["id"]
    assert PushSubscription.objects.count() == 1

    assert api.delete(f"/api/push-subscriptions/{created['id']}").status_code == 204
    assert not PushSubscription.objects.exists()


def test_others_subscriptions_are_404_and_invisible(user, other_user, admin_user, api_client_for):
    mine = PushSubscription.objects.create(
        user=user, endpoint=ENDPOINT, p256dh=Browser().p256dh, auth=Browser().auth
    )
    for someone in (other_user, admin_user):
        api = api_client_for(someone)
        assert api.get("/api/push-subscriptions").json() == []
        assert api.delete(f"/api/push-subscriptions/{mine.pk}").status_code == 404
        assert api.post(f"/api/push-subscriptions/{mine.pk}/test").status_code == 404
        page = logged_in(someone)
        assert page.post(f"/accounts/push/{mine.pk}/remove/").status_code == 404
        assert page.post(f"/accounts/push/{mine.pk}/test/").status_code == 404
    anonymous = api_client_for(None)
    assert anonymous.get("/api/push-subscriptions").status_code == 401
    assert (
        anonymous.post("/api/push-subscriptions", subscription_json(), format="json").status_code
        == 401
    )
    assert anonymous.delete(f"/api/push-subscriptions/{mine.pk}").status_code == 401
    assert anonymous.post(f"/api/push-subscriptions/{mine.pk}/test").status_code == 401
    assert Client().post(f"/accounts/push/{mine.pk}/remove/").status_code == 302  # to log in
    assert PushSubscription.objects.filter(pk=mine.pk).exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("endpoint", "keys", "message"),
    [
        ("http://8.8.8.8/wpush/abc", None, "must be an https:// URL"),
        ("https://127.0.0.1/wpush/abc", None, "loopback, private"),
        ("https://192.168.1.20/wpush/abc", None, "loopback, private"),
        ("https://0x7f000001/wpush/abc", None, "loopback, private"),
        ("https://user:pw@8.8.8.8/wpush", None, "user name or password"),
        ("https://" + "a" * 2000 + ".example/", None, "no more than 2000 characters"),
        (ENDPOINT, {"p256dh": "bm90IGEga2V5", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}, "P-256"),
        (ENDPOINT, {"p256dh": Browser().p256dh, "auth": "c2hvcnQ"}, "16 bytes"),
        (ENDPOINT, {"p256dh": "!!!", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}, "p256dh"),
    ],
)
def test_a_bad_subscription_is_a_clear_400(user, api_client_for, endpoint, keys, message):
    body = subscription_json(endpoint)
    if keys is not None:
        body["keys"] = keys
    answer = api_client_for(user).post("/api/push-subscriptions", body, format="json")
    assert answer.status_code == 400
    assert message in json.dumps(answer.json())
    assert not PushSubscription.objects.exists()


def test_malformed_bodies_are_400(user, api_client_for):
    api = api_client_for(user)
    for body in ('{"endpoint": "https://8.8.8.8/x"}', "[]", '{"endpoint": 5, "keys": "x"}'):
        answer = api.post("/api/push-subscriptions", body, content_type="application/json")
        assert answer.status_code == 400, body


def test_a_private_endpoint_is_accepted_when_the_setting_allows_it(user, api_client_for, settings):
    settings.SEEDBOX_ALLOW_PRIVATE_URLS = True
    body = subscription_json("https://127.0.0.1:8443/wpush/abc")
    assert (
        api_client_for(user).post("/api/push-subscriptions", body, format="json").status_code == 201
    )


def test_another_person_subscribing_the_same_browser_takes_it_over(
    user, other_user, api_client_for
):
    browser = Browser()
    api_client_for(user).post(
        "/api/push-subscriptions", subscription_json(browser=browser), format="json"
    )
    api_client_for(other_user).post(
        "/api/push-subscriptions", subscription_json(browser=browser), format="json"
    )
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [other_user.pk]


def test_the_account_page_lists_devices_removes_them_and_sends_a_test_push(user):
    phone = PushSubscription.objects.create(
        user=user,
        endpoint=ENDPOINT,
        p256dh=Browser().p256dh,
        auth=Browser().auth,
        user_agent="Phone-Chrome/131",
    )
    PushSubscription.objects.create(
        user=user,
        endpoint="https://8.8.4.4/wpush/old",
        p256dh=Browser().p256dh,
        auth=Browser().auth,
        user_agent="Old-Firefox/115",
        disabled_reason="Disabled after 5 pushes failed in a row; the last error: HTTP 500",
    )
    client = logged_in(user)
    page = client.get("/accounts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phone-Chrome/131" in html
    assert "Disabled after 5 pushes failed in a row" in html
    assert f'data-vapid-key="{vapid_keys().public_key}"' in html
    assert html.count("Send a test push") == 1  # not for the disabled one

    answer = client.post(f"/accounts/push/{phone.pk}/test/")
    assert (answer.status_code, answer["Location"]) == (302, "/accounts/")
    event = Event.objects.get()
    assert (event.kind, event.user_ids) == (EventKind.TEST, [user.pk])
    assert event.payload["channel"] == "push"
    assert event.payload["target_id"] == phone.pk

    assert client.post(f"/accounts/push/{phone.pk}/remove/").status_code == 302
    assert not PushSubscription.objects.filter(pk=phone.pk).exists()
    assert "A test push is on its way" in client.get("/accounts/").content.decode()


def test_the_vapid_key_endpoint_gives_what_browsers_subscribe_with(user, api_client_for):
    answer = api_client_for(user).get("/api/push-subscriptions/vapid-key")
    assert answer.json() == {"public_key": vapid_keys().public_key}
    assert api_client_for(None).get("/api/push-subscriptions/vapid-key").status_code == 401


def test_the_manifest_makes_the_site_installable(client):
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["name"] == manifest["short_name"] == "Seedbox"
    assert (manifest["start_url"], manifest["display"]) == ("/", "standalone")
    assert manifest["theme_color"].startswith("#")
    assert manifest["background_color"].startswith("#")
    sizes = set()
    for icon in manifest["icons"]:
        path = django_settings.BASE_DIR / "static" / icon["src"].removeprefix("/static/")
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            assert image.format == "PNG"
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_the_service_worker_is_served_at_the_root(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/"
    script = answer.content.decode()
    for needed in ('addEventListener("push"', "showNotification", '"notificationclick"'):
        assert needed in script
    assert "{%" not in script
    assert "/static/icons/icon-192.png" in script


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert "/static/js/pwa.js" in html


def test_a_user_subscribes_at_most_so_many_devices(user, api_client_for, settings):
    settings.SEEDBOX_PUSH_DEVICES_PER_USER = 2
    api = api_client_for(user)
    for number in (1, 2):
        body = subscription_json(f"https://8.8.8.8/wpush/{number}")
        assert api.post("/api/push-subscriptions", body, format="json").status_code == 201
    again = api.post(
        "/api/push-subscriptions", subscription_json("https://8.8.8.8/wpush/2"), format="json"
    )
    assert again.status_code == 201  # the same device again is not one more
    third = api.post(
        "/api/push-subscriptions", subscription_json("https://8.8.8.8/wpush/3"), format="json"
    )
    assert third.status_code == 400
    assert "at most 2 devices" in third.json()["detail"]
    assert PushSubscription.objects.count() == 2


def test_staff_who_must_set_up_two_factor_still_get_the_manifest_and_worker(admin_user, settings):
    settings.SEEDBOX_REQUIRE_2FA_FOR_STAFF = True
    client = logged_in(admin_user)
    assert client.get("/").status_code == 302  # held to the account pages
    assert client.get("/sw.js").status_code == 200
    assert client.get("/manifest.webmanifest").status_code == 200

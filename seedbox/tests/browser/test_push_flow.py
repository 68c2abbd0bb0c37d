"""The installable site and web push in chromium: every page registers the service worker at
the root scope; a push delivered to it (through the DevTools protocol, as the browser's push
service would) is shown with the title, body and url of its JSON; the account page subscribes
this device, lists it, sends it a test push and removes it, with no CSP violation.

Headless chromium has no push service of its own (pushManager.subscribe is refused there), so
the subscribe test stands in for that one call with a subscription of a key pair made in the
test; the rest (permission, VAPID key, the POST with CSRF, the page) is the site's."""

import json
import re

import pytest
from playwright.sync_api import expect

from notifications.tests.push_service import Browser
from seedbox.tests.browser.conftest import log_in, make_user, screenshot
from seedbox.tests.browser.test_csp import assert_no_violation, watched_page

pytestmark = pytest.mark.browser

# pushManager as a browser with a push service has it: subscribe() gives a subscription (kept
# for the tab, as the browser keeps it), and the applicationServerKey it was asked with is noted.
FAKE_PUSH_SERVICE = """
(() => {
  const stored = () => JSON.parse(sessionStorage.getItem("fake-subscription") || "null");
  const wrap = (json) => json && { endpoint: json.endpoint, toJSON: () => json };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(wrap(stored())); };
  PushManager.prototype.subscribe = function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    sessionStorage.setItem("subscribed-with", btoa(String.fromCharCode(...key)));
    const json = {
      endpoint: "https://8.8.8.8/wpush/browser-test",
      expirationTime: null,
      keys: {
        p256dh: "__P256DH__",
        auth: "__AUTH__",
      },
    };
    sessionStorage.setItem("fake-subscription", JSON.stringify(json));
    return Promise.resolve(wrap(json));
  };
})();
"""


def worker_registration(page):
    """A DevTools session on the page and the id of its service worker registration."""
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    (registration,) = [r for r in registrations if not r["isDeleted"]]
    return cdp, registration["registrationId"]


def test_the_worker_is_registered_at_the_root_and_shows_a_push(stack, new_page):
    email = make_user(stack, "push-worker@example.com")
    page = new_page()
    page.context.grant_permissions(["notifications"], origin=stack.url)
    log_in(page, email)

    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{stack.url}/"
    manifest = page.request.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/"
    worker = page.request.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"

    cdp, registration = worker_registration(page)
    message = {
        "title": "Downloaded: Big.Buck.Bunny",
        "body": "The download is complete.",
        "url": f"{stack.url}/torrents/7/",
        "kind": "torrent.completed",
        "id": 41,
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": stack.url, "registrationId": registration, "data": json.dumps(message)},
    )
    shown = page.wait_for_function(
        """() => navigator.serviceWorker.ready
             .then(r => r.getNotifications())
             .then(ns => ns.length ? ns.map(n => ({
               title: n.title, body: n.body, url: n.data && n.data.url, tag: n.tag,
             })) : null)"""
    ).json_value()
    assert shown == [
        {
            "title": "Downloaded: Big.Buck.Bunny",
            "body": "The download is complete.",
            "url": f"{stack.url}/torrents/7/",
            "tag": "seedbox-41",
        }
    ], shown


def test_the_account_page_subscribes_this_device(stack, new_page):
    email = make_user(stack, "push-account@example.com")
    page, console = watched_page(new_page)
    page.context.grant_permissions(["notifications"], origin=stack.url)
    browser = Browser()  # the keys this browser would make for its subscription
    page.add_init_script(
        FAKE_PUSH_SERVICE.replace("__P256DH__", browser.p256dh).replace("__AUTH__", browser.auth)
    )
    log_in(page, email)

    page.goto("/accounts/")
    expect(page.locator("#push-none")).to_have_text("No device gets pushes yet.")
    key = page.locator("#push-card").get_attribute("data-vapid-key")
    page.get_by_role("button", name="Turn on pushes on this device").click()
    expect(page.locator("#push-devices tbody tr")).to_have_count(1)
    expect(page.locator("#push-state")).to_have_text("This device gets pushes.")
    expect(page.get_by_role("button", name="Turn on pushes on this device")).to_be_hidden()
    subscribed_with = page.evaluate("sessionStorage.getItem('subscribed-with')")
    raw = json.loads(
        stack.python(
            "import base64, json\n"
            "from notifications.vapid import b64url_decode, vapid_keys\n"
            "print(json.dumps([base64.b64encode(b64url_decode(vapid_keys().public_key)).decode(),"
            " vapid_keys().public_key]))"
        )
    )
    # The worker process and the web processes made and use the one key pair.
    assert subscribed_with == raw[0]
    assert key == raw[1]
    assert_no_violation(page, console, "account page")
    screenshot(page, "account-push")

    page.get_by_role("button", name="Send a test push").click()
    expect(page.locator(".messages")).to_contain_text("A test push is on its way")
    events = stack.python(
        "from events.models import Event\n"
        "print([e.payload['channel'] for e in Event.objects.filter(kind='test')])"
    )
    assert events.strip() == "['push']"

    page.get_by_role("button", name=re.compile("^Remove")).click()
    expect(page.locator("#push-none")).to_be_visible()
    expect(page.get_by_role("button", name="Turn on pushes on this device")).to_be_visible()
    assert_no_violation(page, console, "account page after removing")

"""The feeds pages through Django's client: adding a feed, a rule previewed (htmx and without
script) and saved, a saved rule previewed as edited before it is saved again, the history and
the last result shown; another user's feed is a 404."""

import pytest
from django.test import Client

from accounts.testing import PASSWORD
from feeds.models import Feed, FeedItem
from feeds.services.feeds import feed_update
from feeds.services.polling import feed_poll
from feeds.tests.feed_server import RSS, magnet, rss

pytestmark = pytest.mark.django_db

ITEMS = [
    {"title": "Page.Show.S02E01.1080p", "guid": "p1", "link": magnet(11, "p1"), "size": 5000},
    {"title": "Page.Show.S02E02.720p", "guid": "p2", "link": magnet(12, "p2"), "size": 5000},
]


@pytest.fixture
def logged_in(client, user):
    client.login(email=user.email, password=PASSWORD)
    return client


@pytest.fixture
def feed(logged_in, server, user) -> Feed:
    server.routes["/rss"] = (rss(ITEMS), RSS)
    answer = logged_in.post("/feeds/", {"url": server.url + "/rss?passkey=PK1", "interval": 30})
    assert answer.status_code == 302
    return Feed.objects.get(user=user)


def test_the_nav_links_the_feeds_page_and_it_lists_feeds_without_the_passkey(logged_in, feed):
    page = logged_in.get("/feeds/").content.decode()
    assert 'href="/feeds/"' in page
    assert f'href="/feeds/{feed.pk}/"' in page
    assert "passkey=…" in page
    assert "PK1" not in page


def test_a_bad_feed_is_a_form_error(logged_in):
    answer = logged_in.post("/feeds/", {"url": "ftp://example.org/x", "interval": 30})
    assert answer.status_code == 400
    assert "only http:// and https://" in answer.content.decode()


def test_a_rule_previewed_then_saved_and_the_history_shown(logged_in, feed, offline_node):
    rule = {"new-include": "1080p", "new-label": "shows"}
    preview = logged_in.post(f"/feeds/{feed.pk}/preview/", rule, HTTP_HX_REQUEST="true")
    text = preview.content.decode()
    assert preview.status_code == 200
    assert text.startswith('<div id="preview"')
    assert 'data-matched="true"' in text
    assert "does not contain &#x27;1080p&#x27;" in text
    assert feed.rules.count() == 0
    whole = logged_in.post(f"/feeds/{feed.pk}/preview/", rule)  # without script: the page
    assert '<h2 id="history"' in whole.content.decode()

    assert logged_in.post(f"/feeds/{feed.pk}/rules/", rule).status_code == 302
    assert feed.rules.get().include == "1080p"
    feed_poll(feed_id=feed.pk)
    page = logged_in.get(f"/feeds/{feed.pk}/").content.decode()
    assert 'data-state="taken"' in page
    assert 'data-state="skipped"' in page
    assert "2 items, 2 new" in page

    changed = logged_in.post(f"/feeds/{feed.pk}/rules/0/", {"rule0-include": "720p"})
    assert changed.status_code == 302
    assert feed.rules.get().include == "720p"
    assert logged_in.post(f"/feeds/{feed.pk}/rules/0/", {"remove": "1"}).status_code == 302
    assert feed.rules.count() == 0


def test_a_saved_rule_is_previewed_as_edited_before_it_is_saved(
    logged_in, feed, other_user, client
):
    assert logged_in.post(f"/feeds/{feed.pk}/rules/", {"new-include": "1080p"}).status_code == 302
    page = logged_in.get(f"/feeds/{feed.pk}/").content.decode()
    assert f'formaction="/feeds/{feed.pk}/rules/0/preview/"' in page
    assert 'hx-target="#preview-0"' in page
    assert '<div id="preview-0"' in page

    edited = {"rule0-include": "720p", "rule0-label": "shows"}
    fragment = logged_in.post(
        f"/feeds/{feed.pk}/rules/0/preview/", edited, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.startswith('<div id="preview-0"')
    assert fragment.count('data-matched="true"') == 1
    assert "does not contain &#x27;720p&#x27;" in fragment  # the 1080p item, by the edit
    assert feed.rules.get().include == "1080p"  # nothing saved

    whole = logged_in.post(f"/feeds/{feed.pk}/rules/0/preview/", edited)  # without script
    text = whole.content.decode()
    assert whole.status_code == 200
    assert '<h2 id="history"' in text
    assert 'name="rule0-include" value="720p"' in text  # the form as posted, not as saved
    rule_form, rest = text.split(f'<form method="post" action="/feeds/{feed.pk}/rules/" ')
    assert "does not contain &#x27;720p&#x27;" in rule_form.split('id="rule-0"')[1]
    assert "does not contain" not in rest  # the new rule's preview stays empty
    assert 'name="new-include"' in rest

    bad = logged_in.post(
        f"/feeds/{feed.pk}/rules/0/preview/", {"rule0-min_size": "lots"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'role="alert"' in bad
    refused = logged_in.post(f"/feeds/{feed.pk}/rules/0/", {"rule0-min_size": "lots"})
    assert refused.status_code == 400
    assert 'name="rule0-min_size" value="lots"' in refused.content.decode()
    assert logged_in.post(f"/feeds/{feed.pk}/rules/1/preview/", edited).status_code == 404

    client.login(email=other_user.email, password=PASSWORD)
    assert client.post(f"/feeds/{feed.pk}/rules/0/preview/", edited).status_code == 404


def test_a_failing_feed_says_so_on_its_page(logged_in, feed, server):
    server.routes.pop("/rss")
    feed_poll(feed_id=feed.pk)
    page = logged_in.get(f"/feeds/{feed.pk}/").content.decode()
    assert "answered HTTP 404 (failed 1 time in a row; next try in 60 minutes)" in page


def test_another_users_feed_is_404(client, other_user, feed):
    client.login(email=other_user.email, password=PASSWORD)
    assert client.get(f"/feeds/{feed.pk}/").status_code == 404
    assert client.post(f"/feeds/{feed.pk}/remove/").status_code == 404
    assert client.post(f"/feeds/{feed.pk}/preview/", {}).status_code == 404
    assert Feed.objects.filter(pk=feed.pk).exists()


def test_anonymous_is_sent_to_log_in(client):
    assert client.get("/feeds/").status_code == 302


def test_a_saved_rules_preview_is_the_owners_only(admin_client, feed):
    """An admin is another user here (feeds are their owner's alone); anonymous logs in."""
    url = f"/feeds/{feed.pk}/rules/0/preview/"
    assert admin_client.get(f"/feeds/{feed.pk}/").status_code == 404
    assert admin_client.post(url, {"rule0-include": "x"}).status_code == 404
    answer = Client().post(url, {"rule0-include": "x"})  # admin_client is pytest's `client`
    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"]


def test_the_admin_shows_feeds_without_cookie_or_passkey(admin_client, feed):
    Feed.objects.filter(pk=feed.pk).update(cookie="uid=1; pass=ADMINCOOKIE")
    listing = admin_client.get("/admin/feeds/feed/").content.decode()
    change = admin_client.get(f"/admin/feeds/feed/{feed.pk}/change/").content.decode()
    assert "passkey=…" in listing
    for text in (listing, change):
        assert "PK1" not in text
        assert "ADMINCOOKIE" not in text


def test_a_key_in_the_feeds_path_is_hidden_too(logged_in, server, user, admin_client):
    key = "Zk4p9QwErT7yUiOp3LkJ"
    server.routes[f"/rss/{key}/feed.xml"] = (rss(ITEMS), RSS)
    answer = logged_in.post("/feeds/", {"url": f"{server.url}/rss/{key}/feed.xml", "interval": 30})
    assert answer.status_code == 302
    feed = Feed.objects.get(user=user)
    shown = [
        logged_in.get("/feeds/").content.decode(),
        logged_in.get(f"/feeds/{feed.pk}/").content.decode(),
        logged_in.get(f"/api/feeds/{feed.pk}").content.decode(),
        admin_client.get("/admin/feeds/feed/").content.decode(),
        admin_client.get(f"/admin/feeds/feed/{feed.pk}/change/").content.decode(),
    ]
    for text in shown:
        assert key not in text
    assert "/rss/…/feed.xml" in shown[0]


def test_the_admin_shows_an_items_fetch_without_its_link(admin_client, feed, server, offline_node):
    link = server.url + "/download.php?id=7&passkey=ITEMPASSKEY"
    items = [{"title": "Admin.Show.S01E01", "guid": "ad1", "link": link}]
    server.routes["/rss"] = (rss(items), RSS)
    feed_update(feed=feed, rules=[{"include": "admin"}])
    feed_poll(feed_id=feed.pk)
    item = FeedItem.objects.get(feed=feed)
    assert item.fetch.url == link
    pages = [
        admin_client.get("/admin/feeds/feeditem/").content.decode(),
        admin_client.get(f"/admin/feeds/feeditem/{item.pk}/change/").content.decode(),
    ]
    assert "ITEMPASSKEY" not in pages[0] + pages[1]
    assert "fetching" in pages[1]

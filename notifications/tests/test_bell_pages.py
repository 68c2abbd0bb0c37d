"""The bell on every page and its live fragment, the notifications page (newest first, paged,
each linking to its page), and marking one or all read with POST forms, for every persona."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.kinds import EventKind
from notifications.models import Notification
from notifications.selectors import unread_count
from notifications.tests.support import completed, dispatched
from notifications.views.pages import PAGE_SIZE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("broker")]


def bell_count(html: str) -> int:
    match = re.search(r'id="bell-count" data-count="(\d+)"', html)
    assert match, f"no bell in:\n{html[:2000]}"
    return int(match.group(1))


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_bell_counts_on_every_page_and_its_fragment_follows_events(user, other_user):
    client = logged_in(user)
    for path in ("/", "/accounts/", "/labels/", "/notifications/"):
        assert bell_count(client.get(path).content.decode()) == 0, path
    fragment = client.get("/notifications/bell/")
    assert fragment.status_code == 200
    assert 'hx-get="/notifications/bell/"' in fragment.content.decode()
    assert bell_count(fragment.content.decode()) == 0

    completed(user, "Sintel")
    completed(other_user, "Not.Alices")  # someone else's: not on alice's bell
    assert bell_count(client.get("/notifications/bell/").content.decode()) == 1
    completed(user, "Tears.of.Steel", 8)
    html = client.get("/").content.decode()
    assert bell_count(html) == 2
    assert 'aria-label="Notifications, 2 unread"' in html


def test_the_bell_is_one_indexed_count(user, django_assert_num_queries):
    completed(user, "Sintel")
    with django_assert_num_queries(1):
        assert unread_count(user) == 1
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole
        with CaptureQueriesContext(connection) as queries:
            unread_count(user)
        cursor.execute(f"EXPLAIN {queries[0]['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_unread" in plan, plan


def test_the_fragment_needs_no_login_page_and_anonymous_has_no_bell(client):
    assert client.get("/notifications/bell/").status_code == 204
    assert 'id="bell"' not in client.get("/").content.decode()
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_lists_newest_first_linking_to_each_page_in_pages(user, other_user):
    for i in range(PAGE_SIZE + 2):
        completed(user, f"t{i}", torrent_id=100 + i)
    completed(other_user, "bobs.own", 999)
    dispatched(EventKind.QUOTA_FULL, [user], used_bytes=10, quota_bytes=10)
    client = logged_in(user)

    html = client.get("/notifications/").content.decode()
    titles = re.findall(r'<a href="([^"]+)">([^<]+)</a>\s*</p>', html)
    assert titles[0] == ("/accounts/", "Your quota is full")
    assert titles[1] == (f"/torrents/{100 + PAGE_SIZE + 1}/", f"Downloaded: t{PAGE_SIZE + 1}")
    assert len(titles) == PAGE_SIZE
    assert "bobs.own" not in html
    assert "Page 1 of 2" in html

    second = client.get("/notifications/?page=2").content.decode()
    assert re.findall(r'<a href="/torrents/(\d+)/">', second) == ["102", "101", "100"]


def test_marking_one_and_all_read_with_forms(user, other_user):
    completed(user, "one", 1)
    completed(user, "two", 2)
    completed(other_user, "bobs", 3)
    mine = Notification.objects.filter(user=user).order_by("id")
    bobs = Notification.objects.get(user=other_user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/notifications/")
    html = page.content.decode()
    assert f'action="/notifications/{mine[0].pk}/read/"' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    assert client.post(f"/notifications/{mine[0].pk}/read/").status_code == 403  # no CSRF token
    response = client.post(
        f"/notifications/{mine[0].pk}/read/",
        {"csrfmiddlewaretoken": token, "next": "/notifications/?page=1"},
    )
    assert (response.status_code, response["Location"]) == (302, "/notifications/?page=1")
    assert unread_count(user) == 1
    assert 'data-read="true"' in client.get("/notifications/").content.decode()

    # Another's notification: 404, and it stays unread.
    assert (
        client.post(f"/notifications/{bobs.pk}/read/", {"csrfmiddlewaretoken": token}).status_code
        == 404
    )
    response = client.post(
        "/notifications/read-all/", {"csrfmiddlewaretoken": token, "next": "https://evil.example/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    assert unread_count(user) == 0
    assert unread_count(other_user) == 1
    assert client.get("/notifications/read-all/").status_code == 405


def test_staff_see_only_their_own_notifications(admin_user, user):
    completed(user, "alices", 1)
    client = logged_in(admin_user)
    html = client.get("/notifications/").content.decode()
    assert "alices" not in html
    assert bell_count(html) == 0
    note = Notification.objects.get(user=user)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404


def test_a_poll_of_the_bell_reads_the_session_the_user_and_the_count(user):
    client = logged_in(user)
    client.get("/notifications/bell/")  # the session's activity is written once a minute
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notifications/bell/").status_code == 200
    tables = [re.search(r'FROM "(\w+)"', q["sql"]).group(1) for q in queries]
    assert tables == ["django_session", "accounts_user", "notifications_notification"]

"""The account page's table of kinds x channels: the defaults ticked, staff-only kinds for
staff only, one POST form saving every box (an unticked one is a no), and what it saved is
what the next event does."""

import re

import pytest
from django.test import Client

from events.kinds import EventKind
from notifications.models import Notification, Preference
from notifications.tests.support import dispatched, run_deliveries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("broker")]


def logged_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def ticked(html: str) -> tuple[set[str], set[str]]:
    """(the boxes ticked, every box) of the table."""
    boxes = re.findall(r'<input type="checkbox" name="wanted" value="([^"]+)"[^>]*>', html)
    checked = re.findall(r'<input type="checkbox" name="wanted" value="([^"]+)"[^>]* checked', html)
    assert boxes, "no table of choices"
    return set(checked), set(boxes)


def test_the_table_shows_the_defaults_and_staff_kinds_to_staff_only(user, admin_user):
    html = logged_in(user).get("/accounts/").content.decode()
    assert 'action="/notifications/preferences/"' in html
    checked, boxes = ticked(html)
    assert "torrent.completed:email" in checked
    assert "torrent.rejected:email" in checked
    assert "torrent.added:site" in checked
    assert "torrent.added:email" not in checked
    assert "torrent.added:email" in boxes
    assert not any(box.startswith(("node.", "torrent.awaiting_approval")) for box in boxes)

    _, staff_boxes = ticked(logged_in(admin_user).get("/accounts/").content.decode())
    assert {"node.down:email", "node.up:site", "torrent.awaiting_approval:push"} <= staff_boxes


def test_the_form_saves_every_box_and_the_events_follow(user, mailoutbox):
    client = logged_in(user, enforce_csrf_checks=True)
    html = client.get("/accounts/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    checked, _ = ticked(html)
    # Untick completed by mail and in the site, tick added by mail; the rest as shown.
    wanted = (checked - {"torrent.completed:email", "torrent.completed:site"}) | {
        "torrent.added:email"
    }
    assert client.post("/notifications/preferences/", {"wanted": sorted(wanted)}).status_code == 403
    response = client.post(
        "/notifications/preferences/", {"wanted": sorted(wanted), "csrfmiddlewaretoken": token}
    )
    assert (response.status_code, response["Location"]) == (302, "/accounts/#notifications")
    again, _ = ticked(client.get("/accounts/").content.decode())
    assert again == wanted
    assert Preference.objects.get(user=user, kind="torrent.added", channel="email").wanted

    dispatched(EventKind.TORRENT_COMPLETED, [user], name="quiet", torrent_id=1)
    dispatched(EventKind.TORRENT_ADDED, [user], name="loud", torrent_id=2)
    assert run_deliveries() == ["sent"]
    assert [m.subject for m in mailoutbox] == ["[Seedbox] Added: loud"]
    assert list(Notification.objects.values_list("title", flat=True)) == ["Added: loud"]


def test_a_user_cannot_choose_a_staff_kind_through_the_form(user):
    client = logged_in(user)
    client.post("/notifications/preferences/", {"wanted": ["node.down:email"]})
    assert not Preference.objects.filter(kind="node.down").exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.post("/notifications/preferences/", {"wanted": []})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Preference.objects.exists()

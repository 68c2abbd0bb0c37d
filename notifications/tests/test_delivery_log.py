"""Every delivery is a row the user can read: `GET /api/notifications/deliveries` and the
"Sent notifications" page list the caller's own mails, pushes and webhook calls with their
status, attempts and last error; another user's never (staff included)."""

import pytest

from events.kinds import EventKind
from notifications.models import Delivery
from notifications.tests.support import dispatched, run_deliveries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("broker")]


@pytest.fixture
def sent(user, other_user, settings):
    """alice: one mail sent, one that failed and waits for its next try; bob: one sent."""
    dispatched(EventKind.TORRENT_COMPLETED, [user], name="Sintel", torrent_id=1)
    dispatched(EventKind.TORRENT_COMPLETED, [other_user], name="Bobs", torrent_id=2)
    assert run_deliveries() == ["sent", "sent"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    dispatched(EventKind.TORRENT_REJECTED, [user], name="Tears", torrent_id=3, reason="dupe")
    assert run_deliveries() == ["will retry"]


def test_the_api_lists_your_deliveries_with_how_they_went(api_client_for, user, sent):
    body = api_client_for(user).get("/api/notifications/deliveries").json()
    assert body["count"] == 2
    failed, ok = body["results"]
    assert (failed["title"], failed["channel"], failed["status"]) == (
        "Rejected: Tears",
        "email",
        "pending",
    )
    assert failed["attempts"] == 1
    assert "mail not sent" in failed["last_error"]
    assert failed["next_attempt_at"]
    assert (ok["title"], ok["status"], ok["last_error"]) == ("Downloaded: Sintel", "sent", "")
    only_push = api_client_for(user).get("/api/notifications/deliveries?channel=push").json()
    assert only_push["count"] == 0


def test_nobody_reads_anothers_deliveries(api_client_for, other_user, admin_user, sent):
    bobs = api_client_for(other_user).get("/api/notifications/deliveries").json()["results"]
    assert [d["title"] for d in bobs] == ["Downloaded: Bobs"]
    assert api_client_for(admin_user).get("/api/notifications/deliveries").json()["count"] == 0
    assert api_client_for(None).get("/api/notifications/deliveries").status_code == 401
    bad = api_client_for(other_user).get("/api/notifications/deliveries?channel=site")
    assert bad.status_code == 400
    assert "channel" in bad.json()


def test_the_page_shows_the_status_and_the_error(client, user, other_user, admin_user, sent):
    client.force_login(user)
    html = client.get("/notifications/deliveries/").content.decode()
    assert "Rejected: Tears" in html
    assert "Downloaded: Sintel" in html
    assert "mail not sent" in html
    assert "Bobs" not in html
    assert "/notifications/deliveries/" in client.get("/notifications/").content.decode()
    client.force_login(admin_user)  # staff see their own deliveries only
    assert "Rejected: Tears" not in client.get("/notifications/deliveries/").content.decode()
    client.logout()
    assert client.get("/notifications/deliveries/").status_code == 302
    assert Delivery.objects.count() == 3

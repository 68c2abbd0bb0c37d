"""The opt-in weekly summary: last whole week's traffic, ratio and finished torrents, read from
the history the sync writes (kept after a torrent is deleted), recorded as one summary.weekly
event per user per week however often the task runs; the opt-in on the page and the API."""

import datetime as dt
import threading

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services.weekly_summary import (
    summary_week,
    weekly_summaries_send,
    weekly_summary_record,
)
from accounts.tasks import send_weekly_summaries
from accounts.testing import PASSWORD
from events.kinds import EventKind
from events.models import Event
from seedbox.celery import app as celery_app
from torrents.services.control import torrent_remove
from torrents.services.history import Credit, history_credit
from torrents.tests.pages_support import make_rows

pytestmark = pytest.mark.django_db

MiB = 1 << 20
MONDAY = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)  # the beat's run: the week of 23-29 Nov


def at(day: int, hour: int, minute: int = 30) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def credit(user: User, torrent, when: dt.datetime, up: int = 0, down: int = 0, done=False):
    """What a sync of the node would credit the user with at `when`."""
    history_credit(
        credits=[
            Credit(
                torrent_id=torrent.pk,
                info_hash=torrent.info_hash,
                name=torrent.name,
                uploaded=up,
                downloaded=down,
                completed_at=when if done else None,
            )
        ],
        owners={torrent.pk: [user.pk]},
        now=when,
    )


def summaries() -> list[tuple[list[int], dict]]:
    return [
        (e.user_ids, e.payload)
        for e in Event.objects.filter(kind=EventKind.WEEKLY_SUMMARY).order_by("id")
    ]


@pytest.fixture
def opted_in(user) -> User:
    user.weekly_summary = True
    user.save()
    return user


def test_the_week_is_the_last_whole_one_whatever_day_it_runs():
    assert summary_week(today=dt.date(2026, 11, 30)) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 29),
    )
    assert summary_week(today=dt.date(2026, 12, 6)) == (
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 29),
    )
    assert summary_week(today=dt.date(2026, 12, 7)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))


def test_the_summary_reads_the_weeks_history_even_of_deleted_torrents(opted_in):
    first, second, old = make_rows([opted_in], 3)
    credit(opted_in, first, at(22, 23), up=50 * MiB, down=50 * MiB)  # the Sunday before
    credit(opted_in, first, at(23, 0, 10), up=3 * MiB, down=2 * MiB, done=True)  # Monday
    credit(opted_in, second, at(29, 23, 50), up=1 * MiB, down=2 * MiB, done=True)  # Sunday
    credit(opted_in, old, at(30, 0, 10), up=70 * MiB, down=0, done=True)  # this week
    torrent_remove(torrent=first, by=opted_in, purge=False)  # deleted: its history stays

    assert weekly_summaries_send(now=MONDAY) == 1
    assert summaries() == [
        (
            [opted_in.pk],
            {
                "key": f"summary.weekly:{opted_in.pk}:2026-11-23",
                "uploaded_bytes": 4 * MiB,
                "downloaded_bytes": 4 * MiB,
                "ratio": 1.0,
                "completed": [first.name, second.name],
                "period_start": "2026-11-23",
                "period_end": "2026-11-29",
            },
        )
    ]
    event = Event.objects.get()
    assert event.torrent is None


def test_run_twice_in_a_week_it_is_recorded_once_and_next_week_again(opted_in):
    [torrent] = make_rows([opted_in], 1)
    credit(opted_in, torrent, at(25, 12), up=MiB)
    assert weekly_summaries_send(now=MONDAY) == 1
    assert weekly_summaries_send(now=MONDAY + dt.timedelta(minutes=5)) == 0  # beat ran again
    assert weekly_summaries_send(now=MONDAY + dt.timedelta(days=3)) == 0  # a late worker
    assert len(summaries()) == 1
    assert summaries()[0][1]["ratio"] is None  # nothing downloaded: no number to give
    credit(opted_in, torrent, at(30, 12), down=MiB)
    assert weekly_summaries_send(now=MONDAY + dt.timedelta(days=7)) == 1
    assert [payload["period_start"] for _, payload in summaries()] == ["2026-11-23", "2026-11-30"]


def test_only_active_users_who_opted_in_and_had_a_week_are_told(opted_in, other_user, admin_user):
    busy = [other_user, admin_user]
    admin_user.weekly_summary = True
    admin_user.is_active = False
    admin_user.save()
    for person in [*busy, opted_in]:
        [torrent] = make_rows([person], 1)
        credit(person, torrent, at(24, 12), up=MiB)
    quiet = User.objects.create_user("quiet@example.com", "pw", weekly_summary=True)
    [torrent] = make_rows([quiet], 1)
    credit(quiet, torrent, at(20, 12), up=MiB)  # before the week
    assert weekly_summaries_send(now=MONDAY) == 1
    assert [users for users, _ in summaries()] == [[opted_in.pk]]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_record_it_once():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks: its IMMEDIATE transactions run one at a time")
    person = User.objects.create_user("both@example.com", "pw", weekly_summary=True)
    [torrent] = make_rows([person], 1)
    credit(person, torrent, at(24, 12), up=MiB)
    start, end = dt.date(2026, 11, 23), dt.date(2026, 11, 29)
    barrier = threading.Barrier(2)
    outcomes = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(weekly_summary_record(user_id=person.pk, start=start, end=end))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == [False, True]
    assert len(summaries()) == 1


def test_at_most_twenty_names_of_what_finished(opted_in):
    rows = make_rows([opted_in], 25)
    for n, torrent in enumerate(rows):
        credit(opted_in, torrent, at(24, 0, n), down=1, done=True)
    start, end = dt.date(2026, 11, 23), dt.date(2026, 11, 29)
    assert weekly_summary_record(user_id=opted_in.pk, start=start, end=end)
    [(_, payload)] = summaries()
    assert payload["completed"] == [t.name for t in rows[:20]]


def test_the_beat_runs_the_task_on_monday_morning_and_the_task_records_once(opted_in):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-weekly-summary"]
    assert entry["task"] == send_weekly_summaries.name == "accounts.tasks.send_weekly_summaries"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"] == crontab(minute=0, hour=8, day_of_week="mon")
    start, _ = summary_week(today=timezone.now().astimezone(dt.UTC).date())
    [torrent] = make_rows([opted_in], 1)
    credit(opted_in, torrent, dt.datetime.combine(start, dt.time(12), tzinfo=dt.UTC), up=MiB)
    assert send_weekly_summaries.run() == 1
    assert send_weekly_summaries.run() == 0
    assert summaries()[0][1]["period_start"] == start.isoformat()


# --- the opt-in -----------------------------------------------------------------------------


def logged_in(user: User) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_the_account_page_turns_it_on_and_off(user, client):
    browser = logged_in(user)
    page = browser.get("/accounts/").content.decode()
    assert 'id="weekly-summary-form"' in page
    assert 'name="weekly_summary"' in page
    assert "checked" not in page.split('id="weekly-summary-form"', 1)[1].split("</form>")[0]
    answer = browser.post("/accounts/weekly-summary/", {"weekly_summary": "on"})
    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.weekly_summary is True
    form = browser.get("/accounts/").content.decode().split('id="weekly-summary-form"', 1)[1]
    assert "checked" in form.split("</form>")[0]
    browser.post("/accounts/weekly-summary/", {})
    user.refresh_from_db()
    assert user.weekly_summary is False
    anonymous = client.post("/accounts/weekly-summary/", {"weekly_summary": "on"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_the_api_reads_and_sets_it_for_oneself_only(user, other_user, api_client_for):
    mine = api_client_for(user)
    assert mine.get("/api/users/me").data["weekly_summary"] is False
    answer = mine.patch("/api/users/me", {"weekly_summary": True}, format="json")
    assert answer.status_code == 200, answer.data
    assert answer.data["weekly_summary"] is True
    user.refresh_from_db()
    assert user.weekly_summary is True
    theirs = mine.patch(f"/api/users/{other_user.pk}", {"weekly_summary": True}, format="json")
    assert theirs.status_code == 404
    bad = mine.patch("/api/users/me", {"weekly_summary": "often"}, format="json")
    assert bad.status_code == 400
    other_user.refresh_from_db()
    assert other_user.weekly_summary is False

"""The Django admin's user list: confirmed, quota, used, trusted; search and filters."""

import pytest
from django.test import Client

from accounts.testing import make_user

pytestmark = pytest.mark.django_db


def test_admin_lists_users_with_confirmation_quota_and_use(admin_client, user):
    make_user("pending@example.com", confirmed=False)
    user.used_bytes = 2 * 1024**3
    user.save()

    page = admin_client.get("/admin/accounts/user/")

    assert page.status_code == 200
    html = page.content.decode()
    for header in ("Email address", "Confirmed", "Quota", "Used", "Trusted"):
        assert header.lower() in html.lower()
    assert "10.0\xa0GB" in html
    assert "2.0\xa0GB" in html
    rows = {u.email: u.email_confirmed for u in page.context["cl"].result_list}
    assert rows["alice@example.com"] is True
    assert rows["pending@example.com"] is False


def test_admin_search_and_confirmed_filter(admin_client, user, other_user):
    make_user("pending@example.com", confirmed=False)

    found = admin_client.get("/admin/accounts/user/", {"q": "bob"})
    unconfirmed = admin_client.get("/admin/accounts/user/", {"confirmed": "no"})
    trusted = admin_client.get("/admin/accounts/user/", {"trusted__exact": "1"})

    assert [u.email for u in found.context["cl"].result_list] == ["bob@example.com"]
    assert [u.email for u in unconfirmed.context["cl"].result_list] == ["pending@example.com"]
    assert list(trusted.context["cl"].result_list) == []


def test_admin_edits_quota_and_trust(admin_client, user):
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"quota_bytes": 123456789, "trusted": "on", "date_joined_0": "2026-01-01"})
    data.update({"date_joined_1": "00:00:00", "avatar": ""})
    data.update({"api_tokens-TOTAL_FORMS": 0, "api_tokens-INITIAL_FORMS": 0})

    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.quota_bytes == 123456789
    assert user.trusted


def test_non_staff_cannot_open_the_admin(user):
    browser = Client()
    browser.force_login(user)

    assert browser.get("/admin/accounts/user/").status_code == 302

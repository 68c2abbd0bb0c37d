"""The account page and the API list a user's browser sessions (allauth.usersessions) and API
tokens with their last use and address, and end any of them; another user's get 404."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.testing import PASSWORD

pytestmark = pytest.mark.django_db


def browser_of(user, *, ip: str = "127.0.0.1", agent: str = "TestBrowser/1.0") -> Client:
    browser = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    assert (
        browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return browser


def is_logged_in(browser: Client) -> bool:
    return browser.get("/accounts/").status_code == 200


def test_account_page_lists_sessions_with_address_and_browser(user):
    laptop = browser_of(user, ip="198.51.100.7", agent="Laptop-Firefox/128")
    browser_of(user, ip="203.0.113.9", agent="Phone-Chrome/131")

    page = laptop.get("/accounts/")

    assert page.status_code == 200
    for text in (b"198.51.100.7", b"Laptop-Firefox/128", b"203.0.113.9", b"Phone-Chrome/131"):
        assert text in page.content
    assert b"this browser" in page.content
    assert b"End all other sessions" in page.content


def test_ending_a_session_on_the_page_logs_that_browser_out(user):
    laptop = browser_of(user, ip="198.51.100.7")
    phone = browser_of(user, ip="203.0.113.9")
    phone_session = UserSession.objects.get(user=user, ip="203.0.113.9")

    response = laptop.post(f"/accounts/sessions/{phone_session.pk}/end/")

    assert response.status_code == 302
    assert not is_logged_in(phone)
    assert is_logged_in(laptop)
    assert not UserSession.objects.filter(pk=phone_session.pk).exists()


def test_ending_all_other_sessions_keeps_this_one(user):
    laptop = browser_of(user, ip="198.51.100.7")
    others = [browser_of(user, ip=f"203.0.113.{n}") for n in (1, 2)]

    assert laptop.post("/accounts/sessions/end-others/").status_code == 302

    assert is_logged_in(laptop)
    assert not any(is_logged_in(other) for other in others)
    assert UserSession.objects.filter(user=user).count() == 1


def test_another_users_session_is_404_on_the_page_and_the_api(user, other_user, api_client_for):
    browser_of(other_user)
    theirs = UserSession.objects.get(user=other_user)
    mine = browser_of(user)

    assert mine.post(f"/accounts/sessions/{theirs.pk}/end/").status_code == 404
    api = api_client_for(user)
    assert api.delete(f"/api/users/me/sessions/{theirs.pk}").status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_api_lists_and_ends_sessions(user, api_client_for):
    phone = browser_of(user, ip="203.0.113.9", agent="Phone-Chrome/131")
    api = api_client_for(user)

    listed = api.get("/api/users/me/sessions")

    assert listed.status_code == 200
    (session,) = listed.json()
    assert session["ip"] == "203.0.113.9"
    assert session["user_agent"] == "Phone-Chrome/131"
    assert session["current"] is False
    assert {"id", "created_at", "last_seen_at"} <= set(session)
    assert api.delete(f"/api/users/me/sessions/{session['id']}").status_code == 204
    assert not is_logged_in(phone)
    assert api.get("/api/users/me/sessions").json() == []


def test_api_ends_every_session_at_once(user, api_client_for):
    browsers = [browser_of(user, ip=f"203.0.113.{n}") for n in (1, 2)]

    response = api_client_for(user).delete("/api/users/me/sessions")

    assert response.status_code == 200
    assert response.json()["ended"] == 2
    assert not any(is_logged_in(b) for b in browsers)


def test_session_api_needs_a_login(user):
    browser_of(user)
    theirs = UserSession.objects.get(user=user)
    anonymous = APIClient()

    assert anonymous.get("/api/users/me/sessions").status_code == 401
    assert anonymous.delete("/api/users/me/sessions").status_code == 401
    assert anonymous.delete(f"/api/users/me/sessions/{theirs.pk}").status_code == 401
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_an_admin_neither_sees_nor_ends_another_users_sessions(user, admin_user, api_client_for):
    """Sessions are the caller's own (`me`), admins included: 404, and the list shows none."""
    browser = browser_of(user)
    theirs = UserSession.objects.get(user=user)
    admin = api_client_for(admin_user)

    assert admin.get("/api/users/me/sessions").json() == []
    assert admin.delete(f"/api/users/me/sessions/{theirs.pk}").status_code == 404
    assert admin.delete("/api/users/me/sessions").json()["ended"] == 0
    assert is_logged_in(browser)


def test_token_records_last_use_and_the_client_address(user, api_client_for):
    api = api_client_for(user)

    assert api.get("/api/users/me", REMOTE_ADDR="198.51.100.23").status_code == 200

    token = ApiToken.objects.get(user=user)
    assert token.last_used is not None
    assert token.last_ip == "198.51.100.23"
    (listed,) = api.get("/api/users/me/tokens", REMOTE_ADDR="198.51.100.23").json()["results"]
    assert listed["last_ip"] == "198.51.100.23"
    # A new address shows at once, even within the minute last_used is not rewritten.
    api.get("/api/users/me", REMOTE_ADDR="203.0.113.5")
    token.refresh_from_db()
    assert token.last_ip == "203.0.113.5"


def test_token_address_is_taken_the_way_allauth_takes_it(user, api_client_for, settings):
    """Behind one proxy the address is the last X-Forwarded-For entry; a forged first entry
    does not count."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    api = api_client_for(user)

    api.get(
        "/api/users/me",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.40",
    )

    assert ApiToken.objects.get(user=user).last_ip == "198.51.100.40"


def test_tokens_on_the_account_page_show_their_last_address(user, api_client_for):
    api_client_for(user).get("/api/users/me", REMOTE_ADDR="198.51.100.23")

    page = browser_of(user).get("/accounts/")

    assert b"198.51.100.23" in page.content


def test_another_users_token_is_404(user, other_user, api_client_for):
    api_client_for(other_user)
    theirs = ApiToken.objects.get(user=other_user)

    assert api_client_for(user).delete(f"/api/users/me/tokens/{theirs.pk}").status_code == 404
    assert browser_of(user).post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_session_activity_is_written_at_most_once_a_minute(user):
    """Tracking last-seen must not turn every page view into a write."""
    laptop = browser_of(user, ip="198.51.100.7")
    laptop.get("/accounts/")
    seen = UserSession.objects.get(user=user).last_seen_at

    laptop.get("/accounts/")
    assert UserSession.objects.get(user=user).last_seen_at == seen

    laptop.get("/accounts/", REMOTE_ADDR="203.0.113.77")  # a new address shows at once
    session = UserSession.objects.get(user=user)
    assert session.ip == "203.0.113.77"
    assert session.last_seen_at > seen


def test_revoke_all_tokens_on_the_page(user, api_client_for):
    apis = [api_client_for(user) for _ in range(2)]

    response = browser_of(user).post("/accounts/tokens/revoke-all/")

    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()
    assert all(api.get("/api/users/me").status_code == 401 for api in apis)


def test_api_revokes_every_other_token(user, other_user, api_client_for):
    mine = api_client_for(user)
    other_of_mine = api_client_for(user)
    theirs = api_client_for(other_user)

    response = mine.delete("/api/users/me/tokens")

    assert response.status_code == 200
    assert response.json()["ended"] == 1
    assert mine.get("/api/users/me").status_code == 200
    assert other_of_mine.get("/api/users/me").status_code == 401
    assert theirs.get("/api/users/me").status_code == 200

"""One wording across the site ("Log in", never allauth's "Sign In"), a confirmation page that
says something, a reset page with a way on, and an icon instead of a 404 on every page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.testing import make_user
from accounts.tests.conftest import link_in

pytestmark = pytest.mark.django_db
ALLAUTH_WORDS = re.compile(r"sign[ -]?in\b|sign[ -]?out|signed (in|out)", re.IGNORECASE)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
     "/accounts/password/reset/done/", "/nowhere/"],
)  # fmt: skip
def test_pages_for_visitors_say_log_in(client, path):
    html = client.get(path).content.decode()
    assert not ALLAUTH_WORDS.search(visible_text(html)), path
    assert "Log in" in html


@pytest.mark.parametrize(
    "path", ["/accounts/logout/", "/accounts/sessions/", "/accounts/2fa/", "/accounts/"]
)
def test_pages_for_users_say_log_out(path):
    client = Client()
    client.force_login(make_user("words@example.com"))
    html = client.get(path).content.decode()
    assert not ALLAUTH_WORDS.search(visible_text(html)), path
    assert "Log out" in html


def test_the_login_button_and_message_say_log_in(client):
    make_user("words@example.com")
    html = client.get("/accounts/login/").content.decode()
    assert re.search(r"<h1>\s*Log in\s*</h1>", html)
    assert re.search(r"<button[^>]*>\s*Log in\s*</button>", html)
    answer = client.post(
        "/accounts/login/", {"login": "words@example.com", "password": "plum-Orchard-1947"},
        follow=True,
    )  # fmt: skip
    assert "Logged in as words@example.com." in answer.content.decode()


def test_the_confirmation_page_names_the_address_once(client, outbox):
    client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "plum-Orchard-1947",
         "password2": "plum-Orchard-1947"},
    )  # fmt: skip
    html = client.get(link_in(outbox[0], "/accounts/confirm-email/")).content.decode()
    assert "is an email address for user" not in html
    assert re.search(r"Is <strong[^>]*>new@example.com</strong> your address\?", html)
    assert "for user" not in html


def test_the_reset_done_page_has_a_way_on(client):
    html = client.get("/accounts/password/reset/done/").content.decode()
    actions = html.split('id="reset-done-actions"', 1)[1].split("</p>", 1)[0]
    for href in ('href="/accounts/login/"', 'href="/accounts/password/reset/"', 'href="/"'):
        assert href in actions


def test_every_page_links_the_icon_and_favicon_ico_answers(client):
    html = client.get("/accounts/login/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon
    assert icon.group(1).endswith("/favicon.svg")
    assert finders.find("favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == icon.group(1)

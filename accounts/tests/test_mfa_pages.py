"""Two-factor login on the HTML pages (allauth.mfa's own views in the site's layout), and the
staff requirement on pages and the API."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from rest_framework.test import APIClient

from accounts.testing import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    browser = Client()
    response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def reauthenticated(browser: Client) -> Client:
    """allauth asks for the password again before a second factor is added or removed."""
    response = browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return browser


def totp_for(user) -> pyotp.TOTP:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return pyotp.TOTP(secret)


def test_account_page_links_to_two_factor_and_passkeys(user):
    page = logged_in(user).get("/accounts/")

    assert page.status_code == 200
    assert b'href="/accounts/2fa/"' in page.content
    assert b"Two-factor login: <strong>off</strong>" in page.content


def test_set_up_totp_on_the_page_with_the_secret_it_shows(user):
    browser = logged_in(user)
    assert browser.get("/accounts/2fa/totp/activate/")["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    reauthenticated(browser)
    setup = browser.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200
    assert b'<main id="main"' in setup.content  # the site's layout
    secret = re.search(rb'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', setup.content)
    assert secret, setup.content.decode()

    done = browser.post(
        "/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret.group(1).decode()).now()}
    )

    assert done.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    codes = browser.get(done["Location"])  # the recovery codes, made with it
    assert codes.status_code == 200
    assert (
        RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
        .get_unused_codes()[0]
        .encode()
        in codes.content
    )
    assert b"Two-factor login: <strong>on</strong>" in browser.get("/accounts/").content


def test_passkey_set_up_is_offered_on_the_page(user):
    page = reauthenticated(logged_in(user)).get("/accounts/2fa/webauthn/add/")

    assert page.status_code == 200
    assert b"mfa/js/webauthn.js" in page.content
    assert b'id="mfa_webauthn_add"' in page.content


def test_login_page_asks_for_the_code_after_the_password(user):
    totp = totp_for(user)
    browser = Client()

    password = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert password.status_code == 302
    assert password["Location"] == "/accounts/2fa/authenticate/"
    assert not browser.get("/accounts/").wsgi_request.user.is_authenticated
    code = browser.post("/accounts/2fa/authenticate/", {"code": totp.now()})
    assert code.status_code == 302
    assert browser.get("/accounts/").status_code == 200


def test_login_page_refuses_a_wrong_code(user):
    totp = totp_for(user)
    browser = Client()
    browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    wrong = "000000" if totp.now() != "000000" else "111111"

    response = browser.post("/accounts/2fa/authenticate/", {"code": wrong})

    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert browser.get("/accounts/").status_code == 302  # still not logged in


def test_two_factor_removed_from_the_page(user):
    totp = totp_for(user)
    browser = Client()
    browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    browser.post("/accounts/2fa/authenticate/", {"code": totp.now()})
    reauthenticated(browser)

    response = browser.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()


# --- staff must have a second factor when the site says so -----------------------------------


@pytest.fixture
def require_2fa(settings):
    settings.SEEDBOX_REQUIRE_2FA_FOR_STAFF = True


def test_staff_without_2fa_is_sent_to_set_it_up(admin_user, require_2fa):
    browser = logged_in(admin_user)

    for path in ("/", "/staff/moderation/", "/admin/"):
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/"
    assert reauthenticated(browser).get("/accounts/2fa/totp/activate/").status_code == 200


def test_staff_without_2fa_is_refused_on_the_api_with_a_clear_message(
    admin_user, require_2fa, api_client_for
):
    response = api_client_for(admin_user).get("/api/users")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    login = APIClient().post(
        "/api/authenticate/login",
        {"email": admin_user.email, "password": PASSWORD},
        format="json",
    )
    assert login.status_code == 403
    assert "two-factor" in login.json()["detail"]
    session = logged_in(admin_user).get("/api/users")
    assert session.status_code == 403
    assert "two-factor" in session.json()["detail"]


def test_staff_with_2fa_and_users_are_not_held(admin_user, user, require_2fa, api_client_for):
    totp_for(admin_user)

    assert api_client_for(admin_user).get("/api/users").status_code == 200
    assert api_client_for(user).get("/api/users").status_code == 200
    assert logged_in(user).get("/").status_code == 200


def test_staff_are_not_held_when_the_setting_is_off(admin_user, api_client_for):
    assert api_client_for(admin_user).get("/api/users").status_code == 200
    assert logged_in(admin_user).get("/").status_code == 200


def test_django_admin_login_does_not_skip_the_second_factor(admin_user):
    totp_for(admin_user)
    browser = Client()

    response = browser.post(
        "/admin/login/", {"username": admin_user.email, "password": PASSWORD, "next": "/admin/"}
    )

    assert browser.get("/admin/").status_code == 302  # not let in by the password alone
    assert "_auth_user_id" not in browser.session
    assert response.status_code in (302, 200)


def test_a_user_with_2fa_can_still_change_their_email_on_the_page(user, outbox):
    """allauth refuses new addresses on 2FA accounts unless MFA_ALLOW_UNVERIFIED_EMAIL: here
    every login address is confirmed first, so the squatting it guards against cannot happen."""
    totp = totp_for(user)
    browser = Client()
    browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    browser.post("/accounts/2fa/authenticate/", {"code": totp.now()})

    response = browser.post(
        "/accounts/email/",
        {"email": "new-alice@example.com", "current_password": PASSWORD, "action_add": ""},
    )

    assert response.status_code == 302, response.content.decode()
    assert user.emailaddress_set.filter(email="new-alice@example.com", verified=False).exists()


def test_login_page_takes_a_recovery_code_once(user):
    totp_for(user)
    code = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()[0]
    first = Client()
    first.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert first.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert first.get("/accounts/").status_code == 200

    second = Client()
    second.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    again = second.post("/accounts/2fa/authenticate/", {"code": code})

    assert again.status_code == 200
    assert b"Incorrect code" in again.content
    assert second.get("/accounts/").status_code == 302


def test_login_page_rate_limits_wrong_codes(user):
    totp = totp_for(user)
    browser = Client()
    browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    wrong = [f"{n:06d}" for n in range(300000, 300010) if f"{n:06d}" != totp.now()]

    pages = [browser.post("/accounts/2fa/authenticate/", {"code": c}).content for c in wrong[:6]]

    assert b"Too many failed login attempts" in pages[-1]
    right = browser.post("/accounts/2fa/authenticate/", {"code": totp.now()})
    assert right.status_code == 200  # refused while the limit holds
    assert browser.get("/accounts/").status_code == 302

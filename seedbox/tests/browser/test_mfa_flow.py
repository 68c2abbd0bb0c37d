"""Two-factor login in a real browser: set up an authenticator app from the secret the page
shows, log out, log in with the password and a real TOTP code; and a passkey added and used
through chromium's virtual authenticator (CDP WebAuthn domain)."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.testing import PASSWORD
from seedbox.tests.browser.conftest import field, make_user, screenshot

pytestmark = pytest.mark.browser


def password_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("^log in$", re.I)).first.click()


def confirm_password(page) -> None:
    """allauth asks for the password again before a second factor is added."""
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()


def next_code(totp: pyotp.TOTP, used: str) -> str:
    """allauth accepts a TOTP code once: wait for the authenticator's next one."""
    deadline = time.monotonic() + totp.interval + 5
    while (code := totp.now()) == used:
        assert time.monotonic() < deadline, "the TOTP code never changed"
        time.sleep(0.5)
    return code


def test_set_up_totp_log_out_and_log_in_with_password_and_code(stack, new_page):
    email = make_user(stack, "careful@example.com")
    page = new_page()
    password_step(page, email)
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("link", name=email).click()
    expect(page.locator("main")).to_contain_text("Two-factor login: off")
    page.get_by_role("link", name="Set up two-factor login").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/$"))
    screenshot(page, "mfa-index")
    page.locator("main").get_by_role("link", name="Activate").click()
    confirm_password(page)
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.locator("main img")).to_be_visible()  # the QR code
    screenshot(page, "mfa-totp-activate")
    totp = pyotp.TOTP(page.locator("#authenticator_secret").input_value())
    first_code = totp.now()
    field(page, "Authenticator code").fill(first_code)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.locator("main")).to_contain_text(re.compile(r"\b\d{8}\b"))
    screenshot(page, "mfa-recovery-codes")
    page.goto("/accounts/")
    expect(page.locator("main")).to_contain_text("Two-factor login: on")
    log_out(page)

    password_step(page, email)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.get_by_role("link", name=email)).to_have_count(0)  # not logged in yet
    screenshot(page, "mfa-authenticate")
    field(page, "Code").fill(next_code(totp, first_code))
    page.locator("main form").get_by_role("button", name="Log in", exact=True).first.click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name=email)).to_be_visible()


def test_passkey_added_then_used_as_second_factor(stack, new_page):
    email = make_user(stack, "keyholder@example.com")
    page = new_page()
    # A passkey's relying party is a host name, never an IP address: use localhost.
    site = stack.url.replace("127.0.0.1", "localhost")
    page.goto(site + "/accounts/login/")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("^log in$", re.I)).first.click()
    page.wait_for_url(re.compile(r"localhost:\d+/$"))

    page.goto(site + "/accounts/2fa/webauthn/add/")
    confirm_password(page)
    page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    field(page, "Name").fill("test key")
    screenshot(page, "mfa-webauthn-add")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/(recovery-codes|webauthn)/"))
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    log_out(page)

    page.goto(site + "/accounts/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=re.compile("^log in$", re.I)).first.click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(re.compile(r"localhost:\d+/$"))
    expect(page.get_by_role("link", name=email)).to_be_visible()

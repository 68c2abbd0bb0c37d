"""A newcomer in a real browser: signs up, confirms through the mail file, logs in, finds the
empty state, the account page (ratio, traffic, tokens) and the 404 page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.testing import PASSWORD
from seedbox.tests.browser.conftest import field, log_in, mail_to, screenshot

pytestmark = pytest.mark.browser


def test_sign_up_confirm_log_in_and_account_page(stack, new_page):
    page = new_page()
    page.goto("/")
    screenshot(page, "welcome")
    page.get_by_role("link", name="Sign up").first.click()
    email = "newcomer@example.com"
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    screenshot(page, "signup")
    page.locator("main form").get_by_role("button", name=re.compile("sign up", re.I)).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("main")).to_contain_text(re.compile("verify|confirm", re.I))

    link = mail_to(stack, email, r"/accounts/confirm-email/")
    page.goto(link)
    expect(page.locator("main")).to_contain_text(email)
    screenshot(page, "confirm-email")
    page.locator("main form").get_by_role("button", name=re.compile("confirm", re.I)).click()

    log_in(page, email)
    expect(page.get_by_role("link", name=email)).to_be_visible()
    screenshot(page, "home-new-user")

    page.get_by_role("link", name=email).click()
    page.wait_for_url(re.compile(r"/accounts/$"))
    expect(page.locator("#ratio")).to_have_text("-")
    expect(page.locator("main")).to_contain_text("No traffic in the last 30 days")
    page.get_by_label("New token named").fill("laptop")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-key")).to_have_text(re.compile(r"\S{20,}"))
    screenshot(page, "account")

    page.goto("/no/such/page/")
    expect(page.get_by_role("heading", name="Nothing here")).to_be_visible()
    screenshot(page, "not-found")

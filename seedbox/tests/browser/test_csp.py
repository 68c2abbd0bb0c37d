"""The Content-Security-Policy in a real browser: the torrent list, the add page (an upload
through htmx), a torrent page with a folder tree, the Django admin and the Swagger UI at
/api/docs/ all work with no violation reported by chromium."""

import re

import pytest
from playwright.sync_api import expect

from seedbox.tests.browser.conftest import classic_forms, log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WATCHER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.lineNumber}`);
});
// htmx refuses eval (allowEval: false in base.html) rather than break the policy: count it too.
document.addEventListener("htmx:evalDisallowedError", () => window.__cspViolations.push("eval"));
"""


def watched_page(new_page) -> tuple:
    page = new_page()
    console: list[str] = []
    page.add_init_script(WATCHER)
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    return page, console


def assert_no_violation(page, console: list[str], where: str) -> None:
    violations = page.evaluate("window.__cspViolations || []")
    assert violations == [], f"{where}: {violations}"
    assert console == [], f"{where}: {console}"


def test_pages_run_with_no_csp_violation(stack, new_page, tmp_path):
    owner = make_user(stack, "csp@example.com", staff=True, trusted=True)
    (tmp_path / "album").mkdir()
    (tmp_path / "album" / "one.flac").write_bytes(b"1" * 50_000)
    (tmp_path / "album" / "two.flac").write_bytes(b"2" * 50_000)
    page, console = watched_page(new_page)
    log_in(page, owner)

    page.goto("/torrents/add/")
    classic_forms(page)
    form = page.locator("#form-data")
    form.locator("#id_data_files").set_input_files(
        [str(tmp_path / "album" / "one.flac"), str(tmp_path / "album" / "two.flac")]
    )
    form.locator("#id_data_name").fill("CSP album")
    form.locator("#id_data_trackers").fill("http://127.0.0.1:6969/announce")
    form.locator("#submit-data").click()  # htmx posts it (upload progress) and swaps #main
    expect(page.locator("#add-results [data-outcome='added']")).to_contain_text("CSP album")
    assert_no_violation(page, console, "add page")

    page.locator("#to-list").click()
    page.wait_for_url(re.compile(r"/$"))
    with page.expect_request(re.compile(r"/torrents/rows/")):  # htmx polls: it runs
        pass
    assert_no_violation(page, console, "list page")

    page.get_by_role("link", name="CSP album", exact=True).click()
    page.wait_for_url(re.compile(r"/torrents/\d+/$"))
    expect(page.locator("#file-tree")).to_contain_text("one.flac")
    with page.expect_request(re.compile(r"/summary")):  # the status card polls too
        pass
    assert_no_violation(page, console, "torrent page")

    page.goto("/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    assert_no_violation(page, console, "admin")

    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/torrents/{id}")
    assert_no_violation(page, console, "/api/docs/")

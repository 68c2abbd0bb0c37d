"""HTTPS settings and security headers (README "Security").

Settings are read once at start, so each mode is loaded in a fresh interpreter with its own
environment, the way the site starts.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
NAMES = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
]
DUMP = (
    "import json, django; from django.conf import settings; django.setup(); "
    f"print(json.dumps({{n: getattr(settings, n, None) for n in {NAMES!r}}}))"
)


def _env(tmp_path, **variables) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEEDBOX_", "SECURE_"))}
    env.update(SEEDBOX_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="seedbox.settings")
    env.pop("SESSION_COOKIE_SECURE", None)
    env.pop("CSRF_COOKIE_SECURE", None)
    env.update(variables)
    return env


def _settings(tmp_path, **variables) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", DUMP],
        cwd=REPO,
        env=_env(tmp_path, **variables),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_by_default(tmp_path):
    values = _settings(tmp_path)
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path):
    values = _settings(tmp_path, SEEDBOX_HTTPS="true")
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    # Not behind a proxy it trusts: X-Forwarded-Proto is not believed.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_each_https_setting_can_be_set_on_its_own(tmp_path):
    values = _settings(
        tmp_path, SEEDBOX_HTTPS="true", SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="600"
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SESSION_COOKIE_SECURE"] is True


def test_forwarded_proto_is_believed_only_behind_a_trusted_proxy(tmp_path):
    values = _settings(tmp_path, SEEDBOX_HTTPS="true", SEEDBOX_TRUSTED_PROXIES="1")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_check_deploy_with_a_production_environment(tmp_path):
    """Nothing left to fix but HSTS preload, which is opt-in on purpose (README "Security")."""
    env = _env(
        tmp_path,
        SEEDBOX_HTTPS="true",
        DEBUG="false",
        ALLOWED_HOSTS="seedbox.example.com",
        SECRET_KEY="x7" * 10 + "-production-like-secret-key-of-sixty-characters-or-so",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    warnings = set(re.findall(r"^\S*: \((\w+\.[A-Z]\d+)\)", result.stderr, re.MULTILINE))
    assert warnings == {"security.W021"}, result.stderr


@pytest.mark.django_db
def test_pages_and_the_api_send_the_security_headers():
    client = Client()
    for url in ["/accounts/login/", "/api/health", "/api/docs/"]:
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'self'", url
        assert directives["script-src"] == "'self'", url
        assert directives["style-src"] == "'self'", url
        assert directives["frame-ancestors"] == "'none'", url
        assert directives["object-src"] == "'none'", url
        assert "unsafe" not in policy, url


@pytest.mark.django_db
def test_https_mode_redirects_plain_http_and_sends_hsts(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    client = Client()
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    secure = client.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    # The health check stays reachable over plain http for monitors on the inside.
    assert client.get("/api/health").status_code in (200, 503)


def test_no_page_template_has_an_inline_script_handler_or_style():
    """What the CSP refuses must not be in the templates (mail templates are not pages)."""
    offenders = []
    for path in (REPO / "templates").rglob("*.html"):
        if "email" in path.parts:
            continue
        text = path.read_text()
        for needle in ["<script>", " style=", "javascript:", "<style", " onclick=", " onload="]:
            if needle in text:
                offenders.append(f"{path.relative_to(REPO)}: {needle}")
        if "<script" in text.replace("<script src=", ""):
            offenders.append(f"{path.relative_to(REPO)}: inline <script>")
        if "[!" in text or "hx-on" in text or "js:" in text:
            offenders.append(f"{path.relative_to(REPO)}: htmx eval")
    assert offenders == []

"""Mail settings from EMAIL_URL or SEEDBOX_SMTP_*, else files under var/mail/."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from seedbox.mail_env import email_settings, parse_email_url

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("EMAIL_URL", "SEEDBOX_SMTP_HOST", "SEEDBOX_SMTP_SSL", "SEEDBOX_SMTP_TLS"):
        monkeypatch.delenv(name, raising=False)


def test_default_writes_files_under_the_given_directory():
    assert email_settings(Path("/srv/var/mail")) == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/srv/var/mail",
    }


def test_starttls_url_with_quoted_password():
    parsed = parse_email_url("smtp+tls://me%40host:p%2Fss@mail.example.com")

    assert parsed["EMAIL_BACKEND"] == SMTP
    assert parsed["EMAIL_HOST"] == "mail.example.com"
    assert parsed["EMAIL_PORT"] == 587
    assert parsed["EMAIL_HOST_USER"] == "me@host"
    assert parsed["EMAIL_HOST_PASSWORD"] == "p/ss"
    assert parsed["EMAIL_USE_TLS"]
    assert not parsed["EMAIL_USE_SSL"]


def test_smtps_url_and_options():
    parsed = parse_email_url("smtps://relay:2465?timeout=3")

    assert parsed["EMAIL_PORT"] == 2465
    assert parsed["EMAIL_USE_SSL"]
    assert not parsed["EMAIL_USE_TLS"]
    assert parsed["EMAIL_TIMEOUT"] == 3.0


@pytest.mark.parametrize(
    "url",
    ["http://mail.example.com", "smtp://", "smtp://h?tls=maybe", "smtps://h?tls=true", "file://"],
)
def test_bad_urls_are_refused_with_the_variable_named(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        parse_email_url(url)


def test_email_url_wins_over_smtp_variables(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "console://")
    monkeypatch.setenv("SEEDBOX_SMTP_HOST", "ignored")

    assert email_settings(Path("/x"))["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_smtp_variables(monkeypatch):
    monkeypatch.setenv("SEEDBOX_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("SEEDBOX_SMTP_SSL", "true")

    parsed = email_settings(Path("/x"))

    assert parsed["EMAIL_HOST"] == "smtp.example.com"
    assert parsed["EMAIL_PORT"] == 465
    assert parsed["EMAIL_USE_SSL"]
    assert not parsed["EMAIL_USE_TLS"]

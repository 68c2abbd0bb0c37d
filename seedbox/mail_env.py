"""Where mail goes, read from the environment: `EMAIL_URL`, else `SEEDBOX_SMTP_*`, else files.

The default writes each mail as a file under `var/mail/`, so a newcomer can open the confirmation
link without any mail server.
"""

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from seedbox.env import env_bool, env_float, env_int, env_str

_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_SCHEMES = {
    "smtp": (False, False),  # (starttls, implicit tls)
    "smtp+tls": (True, False),
    "submission": (True, False),
    "smtps": (False, True),
    "smtp+ssl": (False, True),
}


def _query_bool(name: str, query: dict[str, list[str]], default: bool) -> bool:
    value = query.get(name, [""])[-1].lower()
    if value == "":
        return default
    if value in {"true", "1", "yes", "on"}:
        return True
    if value in {"false", "0", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"EMAIL_URL: ?{name}={value!r}: expected true or false.")


def parse_email_url(url: str) -> dict:
    """`smtp://user:pass@host:25`, `smtp+tls://…:587`, `smtps://…:465`, `console://` or
    `file:///path` as Django EMAIL_* settings. `?tls=true`, `?ssl=true`, `?timeout=10` apply."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL: file:// needs a path, e.g. file:///srv/mail")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if scheme not in _SCHEMES:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme {scheme!r}; use smtp, smtp+tls, smtps, console or file."
        )
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL: no host, e.g. smtp+tls://user:pass@mail.host:587")
    starttls, ssl = _SCHEMES[scheme]
    query = parse_qs(parts.query)
    starttls = _query_bool("tls", query, starttls)
    ssl = _query_bool("ssl", query, ssl)
    if starttls and ssl:
        raise ImproperlyConfigured("EMAIL_URL: choose STARTTLS (tls) or implicit TLS (ssl).")
    try:
        port = parts.port or (465 if ssl else 587 if starttls else 25)
        timeout = float(query.get("timeout", ["10"])[-1])
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL: {exc}") from None
    return {
        "EMAIL_BACKEND": _SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": timeout,
    }


def email_settings(mail_dir: Path) -> dict:
    """The EMAIL_* settings for this environment."""
    url = env_str("EMAIL_URL")
    if url:
        return parse_email_url(url)
    host = env_str("SEEDBOX_SMTP_HOST")
    if host:
        ssl = env_bool("SEEDBOX_SMTP_SSL", False)
        starttls = env_bool("SEEDBOX_SMTP_TLS", not ssl)
        if starttls and ssl:
            raise ImproperlyConfigured("SEEDBOX_SMTP_TLS and SEEDBOX_SMTP_SSL: choose one.")
        return {
            "EMAIL_BACKEND": _SMTP,
            "EMAIL_HOST": host,
            "EMAIL_PORT": env_int("SEEDBOX_SMTP_PORT", 465 if ssl else 587, minimum=1),
            "EMAIL_HOST_USER": env_str("SEEDBOX_SMTP_USER"),
            "EMAIL_HOST_PASSWORD": env_str("SEEDBOX_SMTP_PASSWORD"),
            "EMAIL_USE_TLS": starttls,
            "EMAIL_USE_SSL": ssl,
            "EMAIL_TIMEOUT": env_float("SEEDBOX_SMTP_TIMEOUT", 10.0, minimum=0.1),
        }
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }

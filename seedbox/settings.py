"""Seedbox settings: one module, read once from the environment.

Every variable is listed with its default in README.md. Nothing must be set: the embedded defaults
keep state under `var/` (SQLite, a local Redis socket, the managed rTorrent, mail files).
"""

import secrets
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from seedbox.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_size,
    env_str,
)
from seedbox.mail_env import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SEEDBOX_VAR_DIR", str(BASE_DIR / "var"))).resolve()
RUN_DIR = VAR_DIR / "run"


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First: its `createsuperuser` (an admin whose address is confirmed) replaces Django's.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django.contrib.humanize",  # allauth's sessions page
    "seedbox",
    "torrents",
    "events",
    "notifications",
    "media",
    "stats",
    "feeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.session_activity.UserSessionActivityMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "seedbox.disk_full.DiskFullMiddleware",
]

ROOT_URLCONF = "seedbox.urls"
WSGI_APPLICATION = "seedbox.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- HTTPS, cookies and security headers (README "Security") ------------------------------
# SEEDBOX_HTTPS=true says the site is reached over https (directly or through a proxy that
# terminates TLS): cookies become Secure, HSTS is sent and plain http is redirected. Each can
# still be set on its own. Off by default: `make run` serves http://127.0.0.1:8000.
SEEDBOX_HTTPS = env_bool("SEEDBOX_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SEEDBOX_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SEEDBOX_HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SEEDBOX_HTTPS)
# Monitors and load balancers probe the health check over plain http on the inside.
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SEEDBOX_HTTPS else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a promise to browsers' built-in lists that is slow to take back: opt in only.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# X-Forwarded-Proto is believed only from the proxies the site says it is behind.
if env_int("SEEDBOX_TRUSTED_PROXIES", 0, minimum=0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): the site's own scripts, styles and images only. No inline
# script, style, eval or plugin anywhere; the Swagger UI loads its init script from a URL too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the small SVG icons the Swagger UI's stylesheet embeds.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Database -------------------------------------------------------------------------------
# SQLite, however it is named: the web server and the Celery worker write at the same time, and
# WAL (readers never wait on a writer) with IMMEDIATE transactions turns "database is locked"
# into a short wait. Without them, a sync's commit under load made list requests fail (500).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        _given = DATABASES["default"].get("OPTIONS", {})
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **_given}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ----------------------------------------------------------------
# Unset: the local redis-server that `runseedbox` starts on a socket under var/run/.
REDIS_SOCKET = RUN_DIR / "redis.sock"
REDIS_URL = env_str("REDIS_URL", f"unix://{REDIS_SOCKET}?db=0")
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL={REDIS_URL!r}: expected redis://, rediss:// or unix:///path/to/redis.sock."
    )
REDIS_IS_LOCAL = not env_str("REDIS_URL")

# Redis, or each process's local memory while Redis does not answer (seedbox/cache.py): logging
# in never needs the broker, and rate limits still hold (per process) meanwhile.
CACHES = {
    "default": {
        "BACKEND": "seedbox.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "seedbox",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        "FALLBACK_RETRY": 5,
    },
    # The torrent list's rendered rows, per web process (no Redis round trip, and no Redis
    # needed): keyed by every column a row shows, so a changed row is rendered anew.
    "rows": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "torrent-rows",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}


def _celery_url(url: str) -> str:
    # kombu spells a Redis unix socket `redis+socket://`; redis-py spells it `unix://`.
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must never hang on a broker that is down: fail fast, the reconcile catches up.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_ACKS_LATE = True
# acks_late alone does not survive a pool process that dies mid-task (SIGKILL, the OOM killer):
# Celery then acknowledges the message as failed and nothing runs the task again. Rejected with
# requeue instead, it runs again; every task is safe to run twice.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}

# `runseedbox` restarts a child that dies (with backoff) and writes what it did to this file,
# which GET /api/health reads; a child that dies MAX_DEATHS times within WINDOW seconds stops
# the stack. See seedbox/supervisor.py.
SEEDBOX_SUPERVISOR_STATUS = RUN_DIR / "supervisor.json"
SEEDBOX_SUPERVISOR_MAX_DEATHS = env_int("SEEDBOX_SUPERVISOR_MAX_DEATHS", 5, minimum=1)
SEEDBOX_SUPERVISOR_WINDOW = env_float("SEEDBOX_SUPERVISOR_WINDOW", 60.0, minimum=1.0)
# The web server `runseedbox` starts: gunicorn processes, and threads in each (bench/README.md
# has what they change on a 2-core machine).
SEEDBOX_WEB_WORKERS = env_int("SEEDBOX_WEB_WORKERS", 2, minimum=1)
SEEDBOX_WEB_THREADS = env_int("SEEDBOX_WEB_THREADS", 8, minimum=1)
# A periodic task (sync, reconcile) that has not run for its interval plus this many seconds
# makes GET /api/health answer 503, naming it (beat or the worker is gone or stuck).
SEEDBOX_PERIODIC_GRACE = env_float("SEEDBOX_PERIODIC_GRACE", 30.0, minimum=0.0)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django's hook on every password change, whatever the path (see the module).
    {"NAME": "accounts.password_hooks.EndApiTokensOnPasswordChange"},
]

# Accounts (django-allauth): email login, mandatory confirmation, rate limits. See README.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Seedbox] "
# Mail the user about changes to their account; the old address learns of an email change and
# gets a link that undoes it for SEEDBOX_EMAIL_UNDO_DAYS.
ACCOUNT_EMAIL_NOTIFICATIONS = True
SEEDBOX_EMAIL_UNDO_DAYS = env_int("SEEDBOX_EMAIL_UNDO_DAYS", 7, minimum=1)
# allauth's forms where the site adds a rule (current password checked within the login limits).
ACCOUNT_FORMS = {
    "change_password": "accounts.forms.ChangePasswordForm",
    "add_email": "accounts.forms.AddEmailForm",
    "signup": "accounts.forms.SignupForm",
}
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("SEEDBOX_CONFIRM_DAYS", 3, minimum=1)
PASSWORD_RESET_TIMEOUT = 3600 * env_int("SEEDBOX_PASSWORD_RESET_HOURS", 24, minimum=1)
# Counted in the Redis cache, so the limits hold across web workers. The 11th wrong password in a
# minute from one address gets 429; 5 wrong ones for one account lock it for 5 minutes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    # Mail sent to an address at someone's request (accounts.services.mail_limits).
    "mail_to_address": "5/10m/key,20/d/key",
    "mail_by_client": "20/10m/ip",
    "mail_by_user": "5/10m/user",
}
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For is trusted for the client IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("SEEDBOX_TRUSTED_PROXIES", 0, minimum=0)
SEEDBOX_API_TOKEN_DAYS = env_int("SEEDBOX_API_TOKEN_DAYS", 90, minimum=0)  # 0: never expire
# How long what left a user's list is remembered for `?changed_since=`; an older cursor gets 410.
SEEDBOX_CHANGES_KEEP_DAYS = env_int("SEEDBOX_CHANGES_KEEP_DAYS", 7, minimum=1)
SEEDBOX_AVATAR_MAX_BYTES = env_size("SEEDBOX_AVATAR_MAX_BYTES", "2MiB")

# Two-factor login (allauth.mfa: an authenticator app with recovery codes, and passkeys) and the
# sessions list (allauth.usersessions). See README "Two-factor login and sessions".
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env_str("SEEDBOX_TOTP_ISSUER", "Seedbox")
# WebAuthn refuses http:// origins other than localhost unless this is set (development only).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("SEEDBOX_WEBAUTHN_ALLOW_HTTP", False)
# allauth refuses a second factor to an account with an unconfirmed address, and a new address
# to an account with a second factor, so that an unconfirmed sign-up cannot hold someone's
# address behind 2FA. Here no unconfirmed account can log in at all (mandatory confirmation), so
# that cannot happen; without this, a user with 2FA could never change their email.
MFA_ALLOW_UNVERIFIED_EMAIL = True
USERSESSIONS_TRACK_ACTIVITY = True
# Staff without a second factor are sent to set one up (pages) or refused (API) until they do.
SEEDBOX_REQUIRE_2FA_FOR_STAFF = env_bool("SEEDBOX_REQUIRE_2FA_FOR_STAFF", False)
# How long an API login may take between the password and the second factor.
SEEDBOX_MFA_TICKET_SECONDS = env_int("SEEDBOX_MFA_TICKET_SECONDS", 300, minimum=30)

# --- Mail -----------------------------------------------------------------------------------
MAIL_DIR = VAR_DIR / "mail"
# EMAIL_BACKEND, EMAIL_HOST, ... (or EMAIL_FILE_PATH) from EMAIL_URL / SEEDBOX_SMTP_* / the default.
globals().update(email_settings(MAIL_DIR))
DEFAULT_FROM_EMAIL = env_str("SEEDBOX_MAIL_FROM", "Seedbox <seedbox@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials gets 401 with WWW-Authenticate: Token.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies must be objects: a list or a bare value gets 400, never a view's 500.
    # JSON written by orjson (seedbox/renderers.py); the browsable API for a browser.
    "DEFAULT_RENDERER_CLASSES": [
        "seedbox.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "seedbox.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # drf-spectacular's, plus the error answers every view gives (seedbox/openapi.py).
    "DEFAULT_SCHEMA_CLASS": "seedbox.openapi.SeedboxAutoSchema",
    "EXCEPTION_HANDLER": "seedbox.api_errors.exception_handler",  # refusals are objects
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Seedbox API",
    "DESCRIPTION": "Torrents, accounts and server state of a multi-user seedbox.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One name for skip/normal/high wherever a file's priority appears (file rows, PATCH, bulk).
    "ENUM_NAME_OVERRIDES": {
        "FilePriorityEnum": "torrents.services.file_priorities.LEVEL_CHOICES",
        # Two `status` fields (a torrent's, a delivery's): the torrent's keeps its name.
        "StatusEnum": "torrents.models.TorrentStatus",
        "DeliveryStatusEnum": "notifications.models.Delivery.Status",
    },
}

# --- Internationalisation, static files -----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
# The site's wording of allauth's strings ("Log in", not "Sign In"): locale/en/LC_MESSAGES.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic writes here; in production nginx serves it (deploy/nginx/seedbox.conf.template).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
}

# --- Seedbox --------------------------------------------------------------------------------
SEEDBOX_DATA_DIR = Path(env_str("SEEDBOX_DATA_DIR", str(VAR_DIR / "data"))).resolve()
SEEDBOX_DEFAULT_QUOTA = env_size("SEEDBOX_DEFAULT_QUOTA", "10GiB")

# The managed rTorrent: `manage.py rtorrentd` runs it, `runseedbox` supervises it.
SEEDBOX_NODE_NAME = env_str("SEEDBOX_NODE_NAME", "local")
# The Celery queue the node's work goes to (Node.queue; a worker next to it runs
# `celery worker -Q <queue>`); empty leaves the node's queue as the admin set it.
SEEDBOX_NODE_QUEUE = env_str("SEEDBOX_NODE_QUEUE", "")
SEEDBOX_RTORRENT_MANAGED = env_bool("SEEDBOX_RTORRENT_MANAGED", True)
SEEDBOX_RTORRENT_DIR = Path(env_str("SEEDBOX_RTORRENT_DIR", str(VAR_DIR / "rtorrent"))).resolve()
# SCGI over TCP ("address:port") instead of the unix socket: a node on another host, reached
# from the site's private network only (SCGI has no authentication). Empty: the socket.
SEEDBOX_RTORRENT_SCGI_TCP = env_str("SEEDBOX_RTORRENT_SCGI_TCP", "")
SEEDBOX_RTORRENT_URL = env_str(
    "SEEDBOX_RTORRENT_URL",
    f"scgi://{SEEDBOX_RTORRENT_SCGI_TCP or SEEDBOX_RTORRENT_DIR / 'rpc.sock'}",
)
SEEDBOX_RTORRENT_BIN = env_str("SEEDBOX_RTORRENT_BIN", "rtorrent")
SEEDBOX_RTORRENT_PORT_RANGE = env_str("SEEDBOX_RTORRENT_PORT_RANGE", "51001-51010")
SEEDBOX_RTORRENT_BIND = env_str("SEEDBOX_RTORRENT_BIND", "")
SEEDBOX_RTORRENT_DHT = env_bool("SEEDBOX_RTORRENT_DHT", False)
SEEDBOX_RTORRENT_PEX = env_bool("SEEDBOX_RTORRENT_PEX", False)
SEEDBOX_RTORRENT_MAX_OPEN_FILES = env_int("SEEDBOX_RTORRENT_MAX_OPEN_FILES", 4096, minimum=64)
SEEDBOX_RTORRENT_TIMEOUT = env_float("SEEDBOX_RTORRENT_TIMEOUT", 10.0, minimum=0.1)
# A health check or a page never waits long on a node.
SEEDBOX_RTORRENT_QUICK_TIMEOUT = env_float("SEEDBOX_RTORRENT_QUICK_TIMEOUT", 2.0, minimum=0.1)

# Adding torrents (torrents/services/intake.py). See README "Adding torrents".
SEEDBOX_MAX_TORRENTS_PER_REQUEST = env_int("SEEDBOX_MAX_TORRENTS_PER_REQUEST", 20, minimum=1)
SEEDBOX_METAINFO_MAX_SIZE = env_size("SEEDBOX_METAINFO_MAX_SIZE", "10MiB")
SEEDBOX_METAINFO_MAX_FILES = env_int("SEEDBOX_METAINFO_MAX_FILES", 20000, minimum=1)
SEEDBOX_UPLOAD_MAX_SIZE = env_size("SEEDBOX_UPLOAD_MAX_SIZE", "20GiB")
SEEDBOX_UPLOAD_MAX_FILES = env_int("SEEDBOX_UPLOAD_MAX_FILES", 1000, minimum=1)
# What all users' uploads in progress may hold in SEEDBOX_UPLOAD_TEMP_DIR together (507 above).
SEEDBOX_UPLOADS_IN_FLIGHT_MAX = env_size("SEEDBOX_UPLOADS_IN_FLIGHT_MAX", "40GiB")
SEEDBOX_DEFAULT_TRACKERS = env_list("SEEDBOX_DEFAULT_TRACKERS", [])
SEEDBOX_REQUIRE_APPROVAL = env_bool("SEEDBOX_REQUIRE_APPROVAL", False)
SEEDBOX_TRACKER_RULES_ADMIN_BYPASS = env_bool("SEEDBOX_TRACKER_RULES_ADMIN_BYPASS", True)
# Announce URLs are fetched by rTorrent: by default none may point to a loopback, private,
# link-local or reserved address, or the site's own (a LAN tracker needs this on).
SEEDBOX_ALLOW_PRIVATE_TRACKERS = env_bool("SEEDBOX_ALLOW_PRIVATE_TRACKERS", False)
SEEDBOX_MAX_TRACKERS_PER_TORRENT = env_int("SEEDBOX_MAX_TRACKERS_PER_TORRENT", 50, minimum=1)
# URLs the site fetches itself (a .torrent by URL; seedbox/fetch.py): public addresses only
# unless this is on (a LAN server), independent of SEEDBOX_ALLOW_PRIVATE_TRACKERS.
SEEDBOX_ALLOW_PRIVATE_URLS = env_bool("SEEDBOX_ALLOW_PRIVATE_URLS", False)
SEEDBOX_FETCH_MAX_REDIRECTS = env_int("SEEDBOX_FETCH_MAX_REDIRECTS", 5, minimum=0)
SEEDBOX_FETCH_CONNECT_TIMEOUT = env_float("SEEDBOX_FETCH_CONNECT_TIMEOUT", 5.0, minimum=0.1)
SEEDBOX_FETCH_READ_TIMEOUT = env_float("SEEDBOX_FETCH_READ_TIMEOUT", 10.0, minimum=0.1)
SEEDBOX_FETCH_TOTAL_TIMEOUT = env_float("SEEDBOX_FETCH_TOTAL_TIMEOUT", 30.0, minimum=0.1)
# A magnet whose metadata has not arrived after this many seconds is dropped from rTorrent and
# no longer holds its info-hash (status `expired`).
SEEDBOX_MAGNET_METADATA_TIMEOUT = env_float(
    "SEEDBOX_MAGNET_METADATA_TIMEOUT", 6 * 3600.0, minimum=1.0
)
SEEDBOX_RECONCILE_INTERVAL = env_float("SEEDBOX_RECONCILE_INTERVAL", 60.0, minimum=1.0)
# A downloading torrent with no progress and no peer for this many seconds is `stalled` (the
# list's filter and badge; torrents/stalled.py). Reannouncing one is allowed at most
# once per SEEDBOX_REANNOUNCE_GAP seconds: rTorrent 0.9.8 aborts on a tracker asked 10 times
# in 10 seconds.
SEEDBOX_STALLED_AFTER = env_float("SEEDBOX_STALLED_AFTER", 600.0, minimum=1.0)
SEEDBOX_REANNOUNCE_GAP = env_float("SEEDBOX_REANNOUNCE_GAP", 5.0, minimum=2.0)
# Uploads stream to temporary files (never whole into memory), on the data's file system by
# default so that moving them into a torrent's directory is a rename.
# Where no upload guard is installed (anything but the add page and POST /api/torrents/), a file
# part is cut at SEEDBOX_UPLOAD_OTHER_MAX_SIZE (torrents/upload_guard.py).
FILE_UPLOAD_HANDLERS = [
    "torrents.upload_guard.OtherUploadsLimit",
    "torrents.upload_guard.DiskSafeTemporaryFileUploadHandler",
]
SEEDBOX_UPLOAD_OTHER_MAX_SIZE = env_size(
    "SEEDBOX_UPLOAD_OTHER_MAX_SIZE", str(max(2 * SEEDBOX_AVATAR_MAX_BYTES, 16 << 20))
)
FILE_UPLOAD_TEMP_DIR = Path(
    env_str("SEEDBOX_UPLOAD_TEMP_DIR", str(SEEDBOX_DATA_DIR / ".incoming"))
).resolve()
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
DATA_UPLOAD_MAX_NUMBER_FILES = SEEDBOX_UPLOAD_MAX_FILES + SEEDBOX_MAX_TORRENTS_PER_REQUEST
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2 * DATA_UPLOAD_MAX_NUMBER_FILES + 100
# Temporary uploads left by a killed web worker (torrents/services/incoming.py): removed once
# nothing wrote to them for this long, checked every SEEDBOX_INCOMING_CLEAN_INTERVAL seconds.
SEEDBOX_INCOMING_STALE_AFTER = env_float("SEEDBOX_INCOMING_STALE_AFTER", 3600.0, minimum=60.0)
SEEDBOX_INCOMING_CLEAN_INTERVAL = env_float("SEEDBOX_INCOMING_CLEAN_INTERVAL", 600.0, minimum=10.0)
CELERY_BEAT_SCHEDULE["torrents-clean-incoming"] = {
    "task": "torrents.tasks.maintenance.clean_incoming",
    "schedule": SEEDBOX_INCOMING_CLEAN_INTERVAL,
}
CELERY_BEAT_SCHEDULE["torrents-reconcile-queued"] = {
    "task": "torrents.tasks.push.reconcile_queued",
    "schedule": SEEDBOX_RECONCILE_INTERVAL,
}

# The event outbox (events/): what was not dispatched at commit (a broker that was down, a
# handler to retry) is swept this often; dispatched events are kept this many days.
SEEDBOX_EVENTS_SWEEP_INTERVAL = env_float("SEEDBOX_EVENTS_SWEEP_INTERVAL", 30.0, minimum=1.0)
SEEDBOX_EVENTS_KEEP_DAYS = env_int("SEEDBOX_EVENTS_KEEP_DAYS", 30, minimum=1)
CELERY_BEAT_SCHEDULE["events-sweep"] = {
    "task": "events.tasks.sweep_events",
    "schedule": SEEDBOX_EVENTS_SWEEP_INTERVAL,
}
# The weekly summary users opt into (accounts/services/weekly_summary.py): Monday 08:00 UTC,
# about the week before; a second run that week records nothing new.
CELERY_BEAT_SCHEDULE["accounts-weekly-summary"] = {
    "task": "accounts.tasks.send_weekly_summaries",
    "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
}

# Notifications (notifications/): the site's address, for links in mails and pushes; deliveries
# to retry are swept this often.
SEEDBOX_SITE_URL = env_str("SEEDBOX_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Web push (notifications/senders/push.py). The VAPID key pair signs every push: a PEM or the
# base64url raw key here (or in SEEDBOX_VAPID_PRIVATE_KEY_FILE), else one is made on first use
# and kept in var/vapid_private_key.pem; the public key, when given, must be the pair's. The
# subject (mailto: or https:) tells push services whom to contact about this site's pushes.
SEEDBOX_VAPID_PRIVATE_KEY = env_str("SEEDBOX_VAPID_PRIVATE_KEY")
SEEDBOX_VAPID_PUBLIC_KEY = env_str("SEEDBOX_VAPID_PUBLIC_KEY")
SEEDBOX_VAPID_SUBJECT = env_str(
    "SEEDBOX_VAPID_SUBJECT", "mailto:" + parseaddr(DEFAULT_FROM_EMAIL)[1]
)
if not SEEDBOX_VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured("SEEDBOX_VAPID_SUBJECT must be a mailto: or https:// URL")
# How long a push service keeps a push for a phone that is offline; one POST's time in all; how
# many deliveries given up in a row disable a subscription (its owner gets a mail); how many
# devices one user may subscribe.
SEEDBOX_PUSH_TTL = env_int("SEEDBOX_PUSH_TTL", 24 * 3600, minimum=0)
SEEDBOX_PUSH_TIMEOUT = env_float("SEEDBOX_PUSH_TIMEOUT", 10.0, minimum=0.5)
SEEDBOX_PUSH_MAX_FAILURES = env_int("SEEDBOX_PUSH_MAX_FAILURES", 5, minimum=1)
SEEDBOX_PUSH_DEVICES_PER_USER = env_int("SEEDBOX_PUSH_DEVICES_PER_USER", 20, minimum=1)
SEEDBOX_DELIVERIES_SWEEP_INTERVAL = env_float(
    "SEEDBOX_DELIVERIES_SWEEP_INTERVAL", 30.0, minimum=1.0
)
# Read notifications and finished deliveries are forgotten after this many days (the sweep).
SEEDBOX_NOTIFICATIONS_KEEP_DAYS = env_int("SEEDBOX_NOTIFICATIONS_KEEP_DAYS", 180, minimum=1)
SEEDBOX_DELIVERIES_KEEP_DAYS = env_int("SEEDBOX_DELIVERIES_KEEP_DAYS", 90, minimum=1)
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {
    "task": "notifications.tasks.sweep_deliveries",
    "schedule": SEEDBOX_DELIVERIES_SWEEP_INTERVAL,
}
# A delivery being sent is claimed this long: a worker killed mid-send leaves it to the sweep
# after that (so it must be longer than any send takes: the webhook timeout below).
SEEDBOX_DELIVERY_CLAIM_SECONDS = env_float("SEEDBOX_DELIVERY_CLAIM_SECONDS", 120.0, minimum=1.0)
# Webhooks (notifications/senders/webhook.py): how many a user may have, how long one POST may
# take in all, and how many deliveries given up in a row disable one (the user gets a mail).
SEEDBOX_WEBHOOKS_PER_USER = env_int("SEEDBOX_WEBHOOKS_PER_USER", 5, minimum=1)
SEEDBOX_WEBHOOK_TIMEOUT = env_float("SEEDBOX_WEBHOOK_TIMEOUT", 10.0, minimum=0.5)
SEEDBOX_WEBHOOK_MAX_FAILURES = env_int("SEEDBOX_WEBHOOK_MAX_FAILURES", 5, minimum=1)

# Sync, history and downloads (torrents/services/sync.py, downloads.py). See README.
SEEDBOX_SYNC_INTERVAL = env_float("SEEDBOX_SYNC_INTERVAL", 5.0, minimum=0.5)
CELERY_BEAT_SCHEDULE["torrents-sync-nodes"] = {
    "task": "torrents.tasks.sync.sync_nodes",
    "schedule": SEEDBOX_SYNC_INTERVAL,
}
# "" streams files from Django; "/prefix/" hands them to nginx (X-Accel-Redirect to
# /prefix/<node>/<path in the node's data root>); "x-sendfile" hands Apache the absolute path.
SEEDBOX_ACCEL_REDIRECT = env_str("SEEDBOX_ACCEL_REDIRECT", "")
# How long a link to a file on another node's host (Node.files_url) stays valid: long enough for
# a download manager's later Range requests of a large file.
SEEDBOX_REMOTE_LINK_SECONDS = env_int("SEEDBOX_REMOTE_LINK_SECONDS", 6 * 3600, minimum=60)
if SEEDBOX_ACCEL_REDIRECT and not (
    SEEDBOX_ACCEL_REDIRECT == "x-sendfile"
    or (SEEDBOX_ACCEL_REDIRECT.startswith("/") and SEEDBOX_ACCEL_REDIRECT.endswith("/"))
):
    raise ImproperlyConfigured(
        f"SEEDBOX_ACCEL_REDIRECT={SEEDBOX_ACCEL_REDIRECT!r}: expected an nginx internal location "
        "such as /protected/ (leading and trailing slash), x-sendfile, or nothing."
    )

if not SEEDBOX_RTORRENT_URL.startswith(("scgi://", "http://", "https://")):
    raise ImproperlyConfigured(
        f"SEEDBOX_RTORRENT_URL={SEEDBOX_RTORRENT_URL!r}: expected scgi:///path/rpc.sock, "
        "scgi://host:port or http(s)://host/RPC2."
    )

# Media (media/): ffprobe metadata, HLS made by ffmpeg, direct and share links.
SEEDBOX_FFMPEG_BIN = env_str("SEEDBOX_FFMPEG_BIN", "ffmpeg")
SEEDBOX_FFPROBE_BIN = env_str("SEEDBOX_FFPROBE_BIN", "ffprobe")
# Posters and other made files; HLS segments go in SEEDBOX_HLS_DIR, evicted least recently used
# first once they hold more than SEEDBOX_HLS_CACHE_MAX.
SEEDBOX_MEDIA_DIR = Path(env_str("SEEDBOX_MEDIA_DIR", str(VAR_DIR / "media"))).resolve()
SEEDBOX_HLS_DIR = Path(env_str("SEEDBOX_HLS_DIR", str(SEEDBOX_MEDIA_DIR / "hls"))).resolve()
SEEDBOX_HLS_CACHE_MAX = env_size("SEEDBOX_HLS_CACHE_MAX", "20GiB")
# A view counts once per user and file in this many seconds.
SEEDBOX_VIEW_WINDOW = env_int("SEEDBOX_VIEW_WINDOW", 1800, minimum=1)
# TMDB lookups of titles (https://developer.themoviedb.org); without a key, the parsed name serves.
SEEDBOX_TMDB_API_KEY = env_str("SEEDBOX_TMDB_API_KEY")
SEEDBOX_DIRECT_LINK_DAYS = env_int("SEEDBOX_DIRECT_LINK_DAYS", 7, minimum=1)
SEEDBOX_SHARE_LINK_MAX_DAYS = env_int("SEEDBOX_SHARE_LINK_MAX_DAYS", 30, minimum=1)

# Media metadata (metadata branch: media/services/metadata.py, titles.py, media/tmdb.py).
# TMDB's API and image bases (tests point them at a loopback server with recorded answers).
SEEDBOX_TMDB_API_URL = env_str("SEEDBOX_TMDB_API_URL", "https://api.themoviedb.org/3").rstrip("/")
SEEDBOX_TMDB_IMAGE_URL = env_str(
    "SEEDBOX_TMDB_IMAGE_URL", "https://image.tmdb.org/t/p/w500"
).rstrip("/")
# At most this many files of one torrent are probed (the largest media-named ones first).
SEEDBOX_MEDIA_PROBE_MAX_FILES = env_int("SEEDBOX_MEDIA_PROBE_MAX_FILES", 50, minimum=1)
# Width in pixels of the poster frames ffmpeg makes.
SEEDBOX_POSTER_WIDTH = env_int("SEEDBOX_POSTER_WIDTH", 480, minimum=64)
# links (media/services/direct_links.py, share_links.py): allauth's limiter counts these in the
# cache. A direct link serves this many requests a minute (a download manager's ranges count
# each); a share link's page and files as many; its password refuses after this many wrong
# tries a minute from one address, or 5 in 5 minutes for one link.
ACCOUNT_RATE_LIMITS["direct_link"] = "300/m/key"
ACCOUNT_RATE_LIMITS["share_link"] = "300/m/key"
ACCOUNT_RATE_LIMITS["share_password_failed"] = "10/m/ip,5/5m/key"
# RSS/Atom feeds (feeds/): the shortest interval (minutes) a user may poll a feed at; how many
# feeds one user may have; the largest feed body fetched; how often beat looks for feeds due; a
# regular expression's time limit per item (seconds); how long a poll's claim on an item lasts
# (a worker killed mid-poll leaves it to the next poll after that); the longest backoff (minutes)
# of a feed that keeps failing; how long a preview may wait on the feed's server (seconds).
SEEDBOX_FEED_MIN_INTERVAL = env_int("SEEDBOX_FEED_MIN_INTERVAL", 15, minimum=1)
SEEDBOX_FEEDS_PER_USER = env_int("SEEDBOX_FEEDS_PER_USER", 20, minimum=1)
SEEDBOX_FEED_MAX_SIZE = env_size("SEEDBOX_FEED_MAX_SIZE", "5MiB")
SEEDBOX_FEED_POLL_INTERVAL = env_float("SEEDBOX_FEED_POLL_INTERVAL", 60.0, minimum=1.0)
SEEDBOX_FEED_REGEX_TIMEOUT = env_float("SEEDBOX_FEED_REGEX_TIMEOUT", 0.05, minimum=0.001)
SEEDBOX_FEED_CLAIM_SECONDS = env_float("SEEDBOX_FEED_CLAIM_SECONDS", 300.0, minimum=1.0)
SEEDBOX_FEED_MAX_BACKOFF = env_int("SEEDBOX_FEED_MAX_BACKOFF", 24 * 60, minimum=1)
SEEDBOX_FEED_PREVIEW_TIMEOUT = env_float("SEEDBOX_FEED_PREVIEW_TIMEOUT", 10.0, minimum=0.5)
CELERY_BEAT_SCHEDULE["feeds-poll"] = {
    "task": "feeds.tasks.poll_due_feeds",
    "schedule": SEEDBOX_FEED_POLL_INTERVAL,
}
# Streaming (branch hls: media/services/hls.py, hls_cache.py). See README "Streaming".
# A transcode is scaled down to at most this many lines (H.264 with this x264 preset).
SEEDBOX_HLS_MAX_HEIGHT = env_int("SEEDBOX_HLS_MAX_HEIGHT", 720, minimum=144)
SEEDBOX_HLS_PRESET = env_choice(
    "SEEDBOX_HLS_PRESET", "veryfast", ("ultrafast", "superfast", "veryfast", "faster", "fast")
)
# A playlist request waits at most this long for an encode's first segment (then 503).
SEEDBOX_HLS_WAIT = env_float("SEEDBOX_HLS_WAIT", 10.0, minimum=0.5)
# An encoder that has not written its progress for this long is dead: restarted when asked.
SEEDBOX_HLS_STALE = env_float("SEEDBOX_HLS_STALE", 30.0, minimum=5.0)
# How often the beat task notes encoders that ended and trims the cache to SEEDBOX_HLS_CACHE_MAX.
CELERY_BEAT_SCHEDULE["media-hls-watch"] = {
    "task": "media.tasks.hls.hls_encodes_watch",
    "schedule": 60.0,
}

# player: hls.js plays through MediaSource, whose <video> source is a blob: URL (media-src).
CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"] = [SELF, "blob:"]

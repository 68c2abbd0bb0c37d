"""Seedbox settings: one module, read once from the environment.

Every variable is listed with its default in README.md. Nothing must be set: the embedded defaults
keep state under `var/` (SQLite, a local Redis socket, the managed rTorrent, mail files).
"""

import secrets
from pathlib import Path

import dj_database_url
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
    "allauth",
    "allauth.account",
    "seedbox",
    "accounts",
    "torrents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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

# --- Database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # The web server and the Celery worker write at the same time: WAL and IMMEDIATE
            # transactions turn "database is locked" into a short wait.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
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

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "seedbox",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
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
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}

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
}
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For is trusted for the client IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("SEEDBOX_TRUSTED_PROXIES", 0, minimum=0)
SEEDBOX_API_TOKEN_DAYS = env_int("SEEDBOX_API_TOKEN_DAYS", 90, minimum=0)  # 0: never expire
# How long what left a user's list is remembered for `?changed_since=`; an older cursor gets 410.
SEEDBOX_CHANGES_KEEP_DAYS = env_int("SEEDBOX_CHANGES_KEEP_DAYS", 7, minimum=1)
SEEDBOX_AVATAR_MAX_BYTES = env_size("SEEDBOX_AVATAR_MAX_BYTES", "2MiB")

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
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
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
}

# --- Internationalisation, static files -----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
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
SEEDBOX_RTORRENT_MANAGED = env_bool("SEEDBOX_RTORRENT_MANAGED", True)
SEEDBOX_RTORRENT_DIR = Path(env_str("SEEDBOX_RTORRENT_DIR", str(VAR_DIR / "rtorrent"))).resolve()
SEEDBOX_RTORRENT_URL = env_str(
    "SEEDBOX_RTORRENT_URL", f"scgi://{SEEDBOX_RTORRENT_DIR / 'rpc.sock'}"
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
SEEDBOX_DEFAULT_TRACKERS = env_list("SEEDBOX_DEFAULT_TRACKERS", [])
SEEDBOX_REQUIRE_APPROVAL = env_bool("SEEDBOX_REQUIRE_APPROVAL", False)
SEEDBOX_TRACKER_RULES_ADMIN_BYPASS = env_bool("SEEDBOX_TRACKER_RULES_ADMIN_BYPASS", True)
SEEDBOX_RECONCILE_INTERVAL = env_float("SEEDBOX_RECONCILE_INTERVAL", 60.0, minimum=1.0)
# Uploads stream to temporary files (never whole into memory), on the data's file system by
# default so that moving them into a torrent's directory is a rename.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
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

# Sync, history and downloads (torrents/services/sync.py, downloads.py). See README.
SEEDBOX_SYNC_INTERVAL = env_float("SEEDBOX_SYNC_INTERVAL", 5.0, minimum=0.5)
CELERY_BEAT_SCHEDULE["torrents-sync-nodes"] = {
    "task": "torrents.tasks.sync.sync_nodes",
    "schedule": SEEDBOX_SYNC_INTERVAL,
}
# "" streams files from Django; "/prefix/" hands them to nginx (X-Accel-Redirect to
# /prefix/<node>/<path in the node's data root>); "x-sendfile" hands Apache the absolute path.
SEEDBOX_ACCEL_REDIRECT = env_str("SEEDBOX_ACCEL_REDIRECT", "")
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

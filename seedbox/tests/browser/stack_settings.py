"""Settings of the site the browser tests run as subprocesses: the real ones, read from the
environment the harness sets, plus static files served from the source folders (no
collectstatic step before each run)."""

from seedbox.settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = True

# The browser tests' trackers run on 127.0.0.x.
SEEDBOX_ALLOW_PRIVATE_TRACKERS = True

# The feeds browser test serves its feed from the test process on 127.0.0.1.
SEEDBOX_ALLOW_PRIVATE_URLS = True
# Beat looks for feeds due every 2 s (not 60), so the feeds test sees them polled on their own.
SEEDBOX_FEED_POLL_INTERVAL = 2.0
CELERY_BEAT_SCHEDULE["feeds-poll"]["schedule"] = SEEDBOX_FEED_POLL_INTERVAL  # noqa: F405

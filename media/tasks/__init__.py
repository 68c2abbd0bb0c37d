"""Celery tasks of the media app (found by autodiscover through this package)."""

from media.tasks import metadata  # noqa: F401  (registers the metadata task)

"""Celery tasks of the media app (found by autodiscover through this package)."""

from media.tasks import hls  # noqa: F401  (registers the HLS watch and cache eviction)

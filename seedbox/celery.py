"""The Celery app: configuration from Django settings (CELERY_*), tasks found in the apps."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seedbox.settings")

app = Celery("seedbox")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from django.apps import AppConfig


class TorrentsConfig(AppConfig):
    name = "torrents"
    default_auto_field = "django.db.models.BigAutoField"

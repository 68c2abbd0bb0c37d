from django.apps import AppConfig


class TorrentsConfig(AppConfig):
    name = "torrents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from torrents import handlers  # noqa: F401  (registers the sync's follow-ups)

from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the torrent page's statistics panel (torrents/page_panels.py).
        from stats import panels  # noqa: F401

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the feed's cookie for its items' .torrent fetches (torrents/fetch_headers.py).
        from feeds import fetch_cookie  # noqa: F401

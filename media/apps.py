from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the event handlers and the torrent page's panels (torrents/page_panels.py).
        from media import handlers, panels_links, panels_metadata, panels_player  # noqa: F401

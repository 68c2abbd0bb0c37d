from django.apps import AppConfig


class SeedboxConfig(AppConfig):
    name = "seedbox"

    def ready(self) -> None:
        from seedbox import checks  # noqa: F401  (registers the system checks)

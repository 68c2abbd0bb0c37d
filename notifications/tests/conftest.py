from notifications.tests.support import broker  # noqa: F401

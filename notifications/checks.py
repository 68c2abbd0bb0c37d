"""System checks of notifications (run by `manage.py check` and `migrate`, so at every start):
the VAPID key pair loads, and is made in var/ now when the settings give none."""

from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from notifications.vapid import vapid_keys


@register(Tags.compatibility)
def check_vapid_keys(app_configs, **kwargs):
    try:
        vapid_keys()
    except (ImproperlyConfigured, OSError) as exc:
        return [
            Error(
                f"Web push keys: {exc}",
                hint="Fix or unset SEEDBOX_VAPID_PRIVATE_KEY / SEEDBOX_VAPID_PUBLIC_KEY.",
                id="notifications.E001",
            )
        ]
    return []

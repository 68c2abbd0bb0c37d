"""System checks for what must exist before the site starts (run by `manage.py check`)."""

import os
import shutil

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility, deploy=False)
def check_runtime(app_configs, **kwargs):
    errors = []
    if settings.SEEDBOX_RTORRENT_MANAGED and not shutil.which(settings.SEEDBOX_RTORRENT_BIN):
        errors.append(
            Error(
                f"{settings.SEEDBOX_RTORRENT_BIN} is not installed.",
                hint="apt-get install -y rtorrent, or set SEEDBOX_RTORRENT_MANAGED=false.",
                id="seedbox.E001",
            )
        )
    for name in ("VAR_DIR", "SEEDBOX_DATA_DIR"):
        path = getattr(settings, name)
        parent = path if path.exists() else path.parent
        if not os.access(parent, os.W_OK):
            errors.append(Error(f"{name} ({path}) is not writable.", id="seedbox.E002"))
    return errors

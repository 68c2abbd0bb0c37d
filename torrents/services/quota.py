"""Disk quota: charged and released atomically, so two uploads at once cannot both squeeze past.

The charge is one conditional UPDATE (`used + size <= quota`): the database decides, under its own
row lock, whichever request comes second sees the first one's charge.
"""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.functions import Greatest

from seedbox.sizes import human_sizes


class QuotaExceeded(Exception):
    def __init__(self, *, needed: int, free: int):
        needs, left = human_sizes(needed, max(free, 0))
        super().__init__(f"not enough quota: this needs {needs} and {left} are free")
        self.needed = needed
        self.free = free


def quota_charge(*, user_id: int, nbytes: int) -> None:
    """Add `nbytes` to the user's used space, or raise QuotaExceeded and change nothing."""
    if nbytes <= 0:
        return
    user_model = get_user_model()
    updated = user_model.objects.filter(
        pk=user_id, used_bytes__lte=F("quota_bytes") - nbytes
    ).update(used_bytes=F("used_bytes") + nbytes)
    if not updated:
        user = user_model.objects.only("used_bytes", "quota_bytes").get(pk=user_id)
        raise QuotaExceeded(needed=nbytes, free=user.quota_bytes - user.used_bytes)


def quota_release(*, user_id: int, nbytes: int) -> None:
    """Give `nbytes` back; never below zero."""
    if nbytes <= 0:
        return
    get_user_model().objects.filter(pk=user_id).update(
        used_bytes=Greatest(F("used_bytes") - nbytes, 0)
    )

"""Disk quota: charged and released atomically, so two uploads at once cannot both squeeze past.

The charge is one conditional UPDATE (`used + size <= quota`): the database decides, under its own
row lock, whichever request comes second sees the first one's charge.

Crossing 90 % of the quota, and reaching it, are events (quota.warning, quota.full), told once
per upward crossing: the user row keeps the level last told, lowered again when use falls.
"""

from django.contrib.auth import get_user_model
from django.db.models import F
from django.db.models.functions import Greatest

from events.kinds import EventKind
from events.services import event_record
from seedbox.sizes import human_sizes

WARNING_PERCENT = 90
FULL_PERCENT = 100


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
    quota_level_note(user_id=user_id)


def quota_release(*, user_id: int, nbytes: int) -> None:
    """Give `nbytes` back; never below zero."""
    if nbytes <= 0:
        return
    get_user_model().objects.filter(pk=user_id).update(
        used_bytes=Greatest(F("used_bytes") - nbytes, 0)
    )
    quota_level_note(user_id=user_id)


def quota_level(*, used: int, quota: int) -> int:
    """0, WARNING_PERCENT or FULL_PERCENT: the highest level `used` has reached."""
    if used <= 0:
        return 0
    if used >= quota:
        return FULL_PERCENT
    if used * 100 >= quota * WARNING_PERCENT:
        return WARNING_PERCENT
    return 0


def quota_level_note(*, user_id: int) -> None:
    """After a change of the user's use or quota (in its transaction): record quota.warning or
    quota.full when a level is reached that the user was not told of yet; a use that fell lowers
    the level told, so the next crossing is told again. A jump past both is told as full."""
    user_model = get_user_model()
    fields = ("used_bytes", "quota_bytes", "quota_notified_level")
    user = user_model.objects.only(*fields).filter(pk=user_id).first()
    if user is None:
        return
    level = quota_level(used=user.used_bytes, quota=user.quota_bytes)
    if level == user.quota_notified_level:
        return
    # Conditional: of two changes at once, only the one that moves the marker tells.
    moved = user_model.objects.filter(
        pk=user_id, quota_notified_level=user.quota_notified_level
    ).update(quota_notified_level=level)
    if not moved or level < user.quota_notified_level:
        return
    event_record(
        EventKind.QUOTA_FULL if level == FULL_PERCENT else EventKind.QUOTA_WARNING,
        users=[user_id],
        payload={"used_bytes": user.used_bytes, "quota_bytes": user.quota_bytes},
    )

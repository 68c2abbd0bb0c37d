"""Which events a user wants on which channel: their choice where they made one, else the
default (notifications/channels.py)."""

from collections.abc import Iterable

from notifications.channels import Channel, default_wanted
from notifications.models import Preference


def wanted_by(user_ids: Iterable[int], kind: str) -> dict[tuple[int, str], bool]:
    """{(user id, channel): wanted} for every user and channel, in one query."""
    user_ids = list(user_ids)
    chosen = {
        (user_id, channel): wanted
        for user_id, channel, wanted in Preference.objects.filter(
            user_id__in=user_ids, kind=kind
        ).values_list("user_id", "channel", "wanted")
    }
    return {
        (user_id, channel): chosen.get((user_id, channel), default_wanted(kind, channel))
        for user_id in user_ids
        for channel in Channel.values
    }


def preference_set(*, user, kind: str, channel: str, wanted: bool) -> None:
    Preference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"wanted": wanted}
    )

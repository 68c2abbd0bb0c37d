"""Which events a user wants on which channel: their choice where they made one, else the
default (notifications/channels.py)."""

from collections.abc import Iterable, Mapping

from notifications.channels import Channel, default_wanted, kinds_for
from notifications.models import Preference


class PreferenceError(ValueError):
    """A choice about a kind or channel that does not exist (or is not the user's to make)."""


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


def preferences_set(*, user, choices: Mapping[tuple[str, str], bool]) -> None:
    """Set several choices at once ({(kind, channel): wanted}; the others stay as they are), in
    one statement. A kind the user may not choose about (a staff one for a user) or a channel
    that does not exist is refused and nothing changes."""
    kinds = set(kinds_for(user))
    for kind, channel in choices:
        if kind not in kinds:
            raise PreferenceError(f"no kind of notification {kind!r} to choose about")
        if channel not in Channel.values:
            raise PreferenceError(f"no channel {channel!r}: {', '.join(Channel.values)}")
    Preference.objects.bulk_create(
        [
            Preference(user=user, kind=kind, channel=channel, wanted=bool(wanted))
            for (kind, channel), wanted in choices.items()
        ],
        update_conflicts=True,
        unique_fields=["user", "kind", "channel"],
        update_fields=["wanted"],
    )

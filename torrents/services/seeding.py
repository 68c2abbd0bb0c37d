"""Seeding rules: stop a torrent at a ratio and/or after some hours of seeding.

Each user has defaults (`User.seed_ratio`/`seed_hours`), and an owner may override them for one
torrent (`Ownership.seed_ratio`/`seed_hours`; null: the defaults). The sync checks the seeding
torrents of a node against their owners' rules (one query) and stops, through the control
service, those that every owner's rule says to stop (an owner without a rule keeps a shared
torrent seeding). No rule ever stops a torrent before the admins' floor (`SeedingFloor`: "ratio
1.0 or 72 h") is met. The reason is kept on the torrent (`stop_reason`, said in
`status_message`). An owner who resumes a torrent a rule stopped keeps it seeding: rules leave it
alone (`seed_rules_suspended`) until an owner changes a rule for it.

The ratio here is the trackers' one: uploaded bytes over the torrent's size (a torrent seeded
from uploaded data, which downloaded nothing, has one too). Seeding time is what the sync saw of
it seeding (`Torrent.seeding_seconds`).
"""

import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from torrents.models import Ownership, SeedingFloor, Torrent, TorrentStatus


class RuleError(ValueError):
    """A rule that cannot be set; the message says why."""


@dataclass(frozen=True)
class Rule:
    ratio: float | None = None
    hours: float | None = None


@dataclass(frozen=True)
class Seeded:
    """What a seeding torrent has done, as the sync sees it."""

    torrent_id: int
    info_hash: str
    ratio: float
    hours: float


def seeding_ratio(*, uploaded: int, size: int | None) -> float:
    return uploaded / size if size else 0.0


def rule_says_stop(rule: Rule, seeded: Seeded) -> str:
    """Why `rule` stops it ("" when it does not)."""
    if rule.ratio is not None and seeded.ratio >= rule.ratio:
        return f"ratio {seeded.ratio:.2f} reached (rule {rule.ratio:g})"
    if rule.hours is not None and seeded.hours >= rule.hours:
        return f"seeded {seeded.hours:.1f} h (rule {rule.hours:g} h)"
    return ""


def floor_met(floor: Rule, seeded: Seeded) -> bool:
    """Either configured part of the floor is enough; no floor is always met."""
    if floor.ratio is None and floor.hours is None:
        return True
    return bool(rule_says_stop(floor, seeded))


def seeding_floor() -> Rule:
    row = SeedingFloor.objects.order_by("pk").first()
    return Rule(row.min_ratio, row.min_hours) if row else Rule()


def owner_rules(*, node_id: int) -> dict[int, list[Rule]]:
    """The owners' rules (an override, else the user's defaults) of the torrents of the node
    that the database has as seeding, in one query (a torrent that only began seeding in this
    sync is checked by the next one)."""
    rules: dict[int, list[Rule]] = {}
    rows = (
        Ownership.objects.filter(torrent__node_id=node_id, torrent__status=TorrentStatus.SEEDING)
        # Oldest owner first: the message owners read is the first owner's rule, every time.
        .order_by("created_at", "pk")
        .values_list(
            "torrent_id", "seed_ratio", "seed_hours", "user__seed_ratio", "user__seed_hours"
        )
    )
    for torrent_id, ratio, hours, default_ratio, default_hours in rows:
        own = ratio is not None or hours is not None
        rule = Rule(ratio, hours) if own else Rule(default_ratio, default_hours)
        rules.setdefault(torrent_id, []).append(rule)
    return rules


def torrents_to_stop(*, node_id: int, seeded: list[Seeded]) -> list[tuple[Seeded, str]]:
    """The seeding torrents whose every owner's rule says stop, over the floor, with the message
    the owners read. One query, whatever the number of torrents (none when nothing seeds; one
    more for the floor when a rule says stop)."""
    if not seeded:
        return []
    rules = owner_rules(node_id=node_id)
    floor = None  # read only when a rule says stop: most runs stop nothing
    stops = []
    for item in seeded:
        reasons = [rule_says_stop(rule, item) for rule in rules.get(item.torrent_id, [])]
        if not (reasons and all(reasons)):
            continue
        floor = floor or seeding_floor()
        if floor_met(floor, item):
            stops.append((item, f"Stopped: {reasons[0]}"))
    return stops


def torrent_rule_stopped(*, torrent_id: int, message: str) -> None:
    """Record why a rule stopped it (after the control service stopped it in rTorrent)."""
    Torrent.objects.filter(pk=torrent_id).update(
        stop_reason=message[:200], status_message=message, updated_at=timezone.now()
    )


def _clean(ratio, hours) -> Rule:
    for value, what in ((ratio, "ratio"), (hours, "hours")):
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise RuleError(f"the seeding {what} is a number (or null)")
        if not 0 < value <= 1_000_000:
            raise RuleError(f"the seeding {what} must be above 0 and at most 1000000")
    return Rule(None if ratio is None else float(ratio), None if hours is None else float(hours))


def user_seeding_defaults_set(*, user: User, ratio, hours) -> Rule:
    """A user's own default rule; torrents an owner resumed are watched again."""
    rule = _clean(ratio, hours)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(seed_ratio=rule.ratio, seed_hours=rule.hours)
        Torrent.objects.filter(ownerships__user=user, seed_rules_suspended=True).update(
            seed_rules_suspended=False, updated_at=timezone.now()
        )
    user.seed_ratio, user.seed_hours = rule.ratio, rule.hours
    return rule


def ownership_seeding_rule_set(*, torrent: Torrent, user: User, ratio, hours) -> Rule:
    """An owner's rule for one torrent (both null: back to their defaults)."""
    rule = _clean(ratio, hours)
    with transaction.atomic():
        updated = Ownership.objects.filter(torrent=torrent, user=user).update(
            seed_ratio=rule.ratio, seed_hours=rule.hours
        )
        if not updated:
            raise RuleError("only an owner of this torrent sets its seeding rule")
        Torrent.objects.filter(pk=torrent.pk).update(
            seed_rules_suspended=False, updated_at=timezone.now()
        )
    return rule


def seeding_watch(*, was: str, now: str, suspended: bool) -> bool:
    """Whether the sync checks the rules for a torrent: seeding at its previous run and now
    (the rules are read for the rows the database has as seeding), and not resumed by an owner
    after a rule stopped it."""
    return was == now == TorrentStatus.SEEDING and not suspended

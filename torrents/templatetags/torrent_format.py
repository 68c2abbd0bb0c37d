"""How numbers of torrents read on the pages: sizes, rates, percentages, ratios."""

from django import template
from django.template.defaultfilters import filesizeformat

from torrents.stats import ratio as history_ratio

register = template.Library()
DASH = "\N{EN DASH}"


@register.filter
def size(value: int | None) -> str:
    """Bytes as '1.2 GB'; '?' while unknown (a magnet waiting for its metadata)."""
    return "?" if value is None else filesizeformat(value)


@register.filter
def rate(value: int | None) -> str:
    """Bytes per second as '1.2 MB/s'; a dash for zero so idle rows read quietly."""
    return f"{filesizeformat(value)}/s" if value else DASH


@register.filter
def percent(completed: int | None, total: int | None) -> int:
    """Whole percent of `completed` over `total` (0 while the size is unknown), floored so a
    torrent never reads 100% before it is complete."""
    if not total:
        return 0
    return max(0, min(100, int(100 * (completed or 0) / total)))


@register.filter
def ratio(uploaded: int | None, base: int | None) -> str:
    """uploaded / base with two decimals; a dash when there is nothing to divide by."""
    if not base:
        return DASH
    return f"{(uploaded or 0) / base:.2f}"


@register.simple_tag
def history_ratio_display(uploaded: int, downloaded: int) -> str:
    """A user's ratio on one torrent: the stats API's figure, and words where it has none (a
    user who added the data and only seeded it downloaded nothing: '∞' alone reads as a bug)."""
    value, _ = history_ratio(uploaded, downloaded)
    if value is not None:
        return f"{value:.2f}"
    return "∞ (nothing downloaded)" if uploaded > 0 else DASH


@register.filter
def duration(seconds: int | None) -> str:
    """Seconds as '3 d 4 h' / '5 h 2 min' / '42 min'."""
    seconds = int(seconds or 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@register.filter
def eta(seconds: int | None) -> str:
    """Time left at the current rate: '42 s', '5 min', '5 h 2 min'; a dash with no estimate
    (not downloading, or nothing coming in)."""
    if seconds is None:
        return DASH
    if seconds < 60:
        return f"{seconds} s"
    return duration(seconds)

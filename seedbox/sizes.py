"""Sizes as people read them in messages from services and the API ("143.1 MB", not
"150,000,000 bytes"), with the same units and rounding as the pages' `filesizeformat`."""

_UNITS = ("KB", "MB", "GB", "TB", "PB")
_STEP = 1024


def human_size(nbytes: int) -> str:
    """`1.5 MB`; below 1 KB the exact count (`512 bytes`); a negative count reads as 0."""
    nbytes = max(int(nbytes), 0)
    if nbytes < _STEP:
        return f"{nbytes} byte{'' if nbytes == 1 else 's'}"
    value = float(nbytes)
    for unit in _UNITS:
        value /= _STEP
        if value < _STEP or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def human_sizes(*counts: int) -> list[str]:
    """Several sizes that are compared in one sentence ("needs X and Y are free"): when two
    different counts round to the same text, each gets its exact byte count too, so the message
    never reads "needs 1.0 GB and 1.0 GB are free"."""
    texts = [human_size(n) for n in counts]
    clash = any(
        texts[i] == texts[j] and counts[i] != counts[j]
        for i in range(len(counts))
        for j in range(i + 1, len(counts))
    )
    if not clash:
        return texts
    return [f"{text} ({max(int(n), 0):,} bytes)" for text, n in zip(texts, counts, strict=True)]

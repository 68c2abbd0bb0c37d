"""A linear pre-scan of bencoded bytes that counts items and nesting depth and stops at a limit,
before bencode.py builds any object; on the way it finds where the top-level `info` value lies.

bencode.py has a depth limit but no item limit: a 10 MiB file of 3.4 million tiny integers costs
seconds of CPU to decode, only to be refused afterwards. The scan steps over strings by their
declared length, and over runs of integers and container marks with one regex match each (their
items counted with bytes.count), so nothing is copied and a bomb is refused at C speed.
Well-formedness is left to the decoder, which runs only on what passed.
"""

import re
from dataclasses import dataclass

# One token: a string's length prefix, an integer, or a container start/end.
_TOKEN = re.compile(rb"(\d{1,15}):|i-?\d+e|[dl]|e")
# A run of bytes that integers and container marks are made of (a character class: no
# backtracking, whatever its length). Digits right before a ":" are a string's length, not in it.
_RUN = re.compile(rb"[-0-9idle]+")
_DIGITS = frozenset(b"0123456789")
# Only these start a run that adds items (a string starts with a digit, "e" adds none).
_RUN_STARTS = frozenset(b"idl")
# Shorter runs (the "e" and "ei5e" between a real torrent's strings) go token by token: cheaper.
RUN_MIN = 64


class ScanLimit(ValueError):
    """The data holds more items, or nests deeper, than allowed; the message says which."""


@dataclass(frozen=True)
class Scan:
    items: int
    info: tuple[int, int] | None  # start and end offsets of the top-level `info` value
    duplicate_info: bool = False


def bencode_scan(data: bytes, *, max_items: int, max_depth: int) -> Scan:
    """Items in `data` and where its top-level `info` value lies; ScanLimit past `max_items`
    or `max_depth`. Malformed input stops the scan quietly (the decoder says why).

    One loop with local variables: a method call per token would cost more than the decode."""
    token_match, run_match = _TOKEN.match, _RUN.match
    pos, size, slow_until = 0, len(data), 0
    items = depth = top = 0  # top: items directly in the top-level dictionary (keys and values)
    info_next, info_start = False, None  # the next top-level value is `info`; where it starts
    spans: list[tuple[int, int]] = []
    while pos < size:
        if (
            depth > 1
            and data[pos] in _RUN_STARTS
            and pos >= slow_until
            and (run := run_match(data, pos)) is not None
        ):
            end = run.end()
            if data[end : end + 1] == b":":  # the digits before it are a string's length
                while end > pos and data[end - 1] in _DIGITS:
                    end -= 1
            if end - pos >= RUN_MIN:
                ints = data.count(b"i", pos, end)
                opens = data.count(b"d", pos, end) + data.count(b"l", pos, end)
                if items + ints + opens > max_items:
                    raise ScanLimit(f"more than {max_items:,} items (the limit)")
                closes = data.count(b"e", pos, end) - ints
                if depth - closes > 1 and depth + opens <= max_depth:
                    items, depth, pos = items + ints + opens, depth + opens - closes, end
                    continue
                slow_until = end  # it ends the top-level value or nests deep: token by token
        token = token_match(data, pos)
        if token is None:
            break
        start, pos = pos, token.end()
        first = data[start]
        if first == 0x65:  # "e": a list or dictionary ends
            depth -= 1
            if depth == 1 and info_start is not None:
                spans.append((info_start, pos))
                info_start, info_next = None, False
            if depth <= 0:
                break
            continue
        items += 1
        if items > max_items:
            raise ScanLimit(f"more than {max_items:,} items (the limit)")
        at_top = depth == 1
        if at_top:
            if top % 2 == 1 and info_next:
                info_start = start
            top += 1
        if first == 0x64 or first == 0x6C:  # "d" or "l"
            depth += 1
            if depth > max_depth:
                raise ScanLimit(f"nested more than {max_depth} deep (the limit)")
            continue
        length = token.group(1)
        if length is not None:  # a string: step over it
            pos += int(length)
            if at_top and top % 2 == 1:  # a key
                info_next = data[token.end() : pos] == b"info"
                continue
        if at_top and info_start is not None:
            spans.append((info_start, pos))
            info_start, info_next = None, False
        elif depth == 0:
            break
    return Scan(items=items, info=spans[0] if spans else None, duplicate_info=len(spans) > 1)

"""A linear pre-scan of bencoded bytes that counts items and nesting depth and stops at a limit,
before bencode.py builds any object.

bencode.py has a depth limit but no item limit: a 10 MiB file of 3.4 million tiny integers costs
seconds of CPU and hundreds of MB to decode, only to be refused afterwards. The scan steps over
strings by their declared length (one compiled regex per token, nothing is copied), so refusing a
bomb costs a fraction of a millisecond per limit-worth of items; well-formedness is left to the
decoder, which runs only on what passed.
"""

import re

# One token: a string's length prefix, an integer, or a container start/end.
_TOKEN = re.compile(rb"(\d{1,15}):|i-?\d+e|[dl]|e")


class ScanLimit(ValueError):
    """The data holds more items, or nests deeper, than allowed; the message says which."""


def bencode_scan(data: bytes, *, max_items: int, max_depth: int) -> int:
    """The number of items (strings, integers, lists, dictionaries) in `data`; ScanLimit past
    `max_items` or `max_depth`. Malformed input stops the scan quietly (the decoder says why)."""
    match = _TOKEN.match
    pos, end, items, depth = 0, len(data), 0, 0
    while pos < end:
        token = match(data, pos)
        if token is None:
            return items
        pos = token.end()
        first = data[token.start()]
        if first == 0x65:  # "e": a list or dictionary ends
            depth -= 1
            if depth <= 0:
                return items
            continue
        items += 1
        if items > max_items:
            raise ScanLimit(f"more than {max_items:,} items (the limit)")
        if first in (0x64, 0x6C):  # "d" or "l"
            depth += 1
            if depth > max_depth:
                raise ScanLimit(f"nested more than {max_depth} deep (the limit)")
        elif token.group(1) is not None:
            pos += int(token.group(1))
        elif depth == 0:
            return items
    return items

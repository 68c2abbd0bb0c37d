"""The pre-scan counts exactly what bencode.py would decode and finds the same `info` bytes."""

import bencodepy
import pytest
from bencodepy import BencodeDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from torrents.bencode_scan import ScanLimit, bencode_scan
from torrents.metainfo import _info_span

values = st.recursive(
    st.integers(-(10**12), 10**12) | st.binary(max_size=40) | st.sampled_from([b"e", b"i1e", b"d"]),
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(st.binary(max_size=8), children, max_size=6)
    ),
    max_leaves=60,
)


def items(value) -> int:
    if isinstance(value, list):
        return 1 + sum(items(v) for v in value)
    if isinstance(value, dict):
        return 1 + sum(1 + items(v) for v in value.values())
    return 1


@settings(max_examples=300, deadline=None)
@given(top=st.dictionaries(st.binary(max_size=8), values, max_size=6), info=values)
def test_items_and_the_info_span_match_bencode_py(top, info):
    data = bencodepy.encode({**top, b"info": info})
    scan = bencode_scan(data, max_items=10**9, max_depth=10**6)
    assert scan.items == items(bencodepy.decode(data))
    assert scan.info == _info_span(BencodeDecoder(max_depth=10**6), data)
    assert not scan.duplicate_info


def test_limits_name_themselves():
    with pytest.raises(ScanLimit, match=r"more than 10 items \(the limit\)"):
        bencode_scan(b"d1:xl" + b"i0e" * 11 + b"ee", max_items=10, max_depth=16)
    with pytest.raises(ScanLimit, match=r"more than 10 items \(the limit\)"):
        bencode_scan(b"d1:xl" + b"1:a" * 11 + b"ee", max_items=10, max_depth=16)
    with pytest.raises(ScanLimit, match="nested more than 3 deep"):
        bencode_scan(b"d1:x" + b"l" * 3 + b"e" * 4, max_items=100, max_depth=3)


def test_a_second_info_is_seen():
    # Keys out of order, as a hand-made file may have them: bencode.py keeps the last.
    assert bencode_scan(b"d4:infoi1e4:infoi2ee", max_items=10, max_depth=4).duplicate_info

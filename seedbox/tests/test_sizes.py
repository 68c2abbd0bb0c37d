"""Sizes in messages read as people read them: "143.1 MB", never "150,000,000 bytes"."""

from seedbox.sizes import human_size, human_sizes
from torrents.services.quota import QuotaExceeded


def test_sizes_use_the_pages_units():
    assert human_size(0) == "0 bytes"
    assert human_size(1) == "1 byte"
    assert human_size(1023) == "1023 bytes"
    assert human_size(1024) == "1.0 KB"
    assert human_size(150_000_000) == "143.1 MB"
    assert human_size(3 * 1024**4) == "3.0 TB"
    assert human_size(-5) == "0 bytes"


def test_sizes_compared_in_one_sentence_never_read_the_same():
    assert human_sizes(150_000_000, 20_000_000) == ["143.1 MB", "19.1 MB"]
    assert human_sizes(150_000_000, 149_999_000) == [
        "143.1 MB (150,000,000 bytes)",
        "143.1 MB (149,999,000 bytes)",
    ]


def test_a_quota_refusal_says_megabytes():
    message = str(QuotaExceeded(needed=150_000_000, free=20_000_000))
    assert message == "not enough quota: this needs 143.1 MB and 19.1 MB are free"

"""The metainfo reader against real torrents and a corpus of malformed ones."""

import hashlib

import bencodepy
import pytest
import torf

from torrents.metainfo import MetainfoError, metainfo_from_info, parse_metainfo
from torrents.tests.factories import make_torrent

LIMITS = {"max_size": 1 << 20, "max_files": 100}
PIECES = b"\x00" * 20


def parse(data: bytes, **limits):
    return parse_metainfo(data, **{**LIMITS, **limits})


def encode(info: dict, top: dict | None = None) -> bytes:
    return bencodepy.encode(
        {b"announce": b"http://127.0.0.1:6969/announce", **(top or {}), b"info": info}
    )


def multi(paths: list[list[bytes]], *, name: bytes = b"folder") -> dict:
    return {
        b"name": name,
        b"piece length": 16384,
        b"pieces": PIECES,
        b"files": [{b"length": 10, b"path": p} for p in paths],
    }


def test_single_file_torrent_matches_torf(tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "one.bin", 40_000)
    meta = parse(data)
    assert meta.info_hash == info_hash
    assert (meta.name, meta.size, meta.multi_file) == ("one.bin", 40_000, False)
    assert [(f.path, f.size) for f in meta.files] == [("one.bin", 40_000)]
    assert meta.trackers == ["http://127.0.0.1:6969/announce"]


def test_multi_file_torrent(tmp_path):
    data, info_hash, _ = make_torrent(
        tmp_path, "album", files={"cd1/a.flac": 20_000, "cd2/b.flac": 30_000, "c.txt": 5}
    )
    meta = parse(data)
    assert meta.info_hash == info_hash
    assert meta.multi_file
    assert meta.size == 50_005
    assert sorted(f.path for f in meta.files) == ["c.txt", "cd1/a.flac", "cd2/b.flac"]


def test_info_hash_comes_from_the_exact_bytes_even_when_keys_are_unsorted():
    # A hand-made torrent whose info keys are out of order: re-encoding would sort them and
    # change the hash; rTorrent hashes the bytes it got.
    info = b"d6:lengthi10e4:name1:x6:pieces20:" + PIECES + b"12:piece lengthi16384ee"
    data = b"d8:announce30:http://127.0.0.1:6969/announce4:info" + info + b"e"
    meta = parse(data)
    assert meta.info_hash == hashlib.sha1(info).hexdigest()
    assert meta.info_hash != hashlib.sha1(bencodepy.encode(bencodepy.decode(info))).hexdigest()


def test_announce_list_is_flattened_without_duplicates():
    info = {b"name": b"x", b"piece length": 16384, b"pieces": PIECES, b"length": 10}
    data = encode(info, {b"announce-list": [[b"http://a/ann", b"http://b/ann"], [b"http://a/ann"]]})
    assert parse(data).trackers == [
        "http://a/ann",
        "http://b/ann",
        "http://127.0.0.1:6969/announce",
    ]


GOOD_INFO = {b"name": b"x", b"piece length": 16384, b"pieces": PIECES, b"length": 10}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a torrent"),
        (b"<html>hello</html>", "not a torrent"),
        (encode(GOOD_INFO)[:-7], "is it complete"),  # truncated
        (encode(GOOD_INFO) + b"trailing", "is it complete"),
        (b"d" * 5000 + b"e" * 5000, "nested more than 16 deep"),
        (bencodepy.encode({b"announce": b"http://a/"}), "no 'info'"),
        (bencodepy.encode({b"info": [1, 2]}), "'info' must be a dictionary"),
        (encode({**GOOD_INFO, b"name": 5}), "'name' must be a string"),
        (encode({**GOOD_INFO, b"name": b""}), "no name"),
        (encode({**GOOD_INFO, b"piece length": b"big"}), "'piece length' must be an integer"),
        (encode({**GOOD_INFO, b"piece length": 0}), "'piece length' must be at least 1"),
        (encode({**GOOD_INFO, b"pieces": b"abc"}), "20-byte"),
        (encode({**GOOD_INFO, b"length": -1}), "'length' must be at least 0"),
        (encode({**GOOD_INFO, b"length": 10**9}), "inconsistent"),
        (encode({k: v for k, v in GOOD_INFO.items() if k != b"length"}), "needs 'length'"),
        (encode({**GOOD_INFO, b"files": []}), "both 'length' and 'files'"),
        (encode(multi([[b"a"]]) | {b"files": [b"notadict"]}), "must be a dictionary"),
        (encode(multi([[]])), "non-empty list"),
        (encode(multi([[b"..", b"etc", b"passwd"]])), "'..' is not allowed"),
        (encode(multi([[b"a", b"", b"b"]])), "'' is not allowed"),
        (encode(multi([[b"/etc/passwd"]])), "slash"),
        (encode(multi([[b"a\\..\\b"]])), "slash"),
        (encode(multi([[b"a\x00b"]])), "control character"),
        (encode(multi([[b"a\nb"]])), "control character"),
        (encode(multi([[b"a"]], name=b"..")), "'..' is not allowed"),
        (encode(multi([[b"a", b"b"], [b"a", b"b"]])), "appears twice"),
        (encode(multi([[b"a"], [b"a", b"b"]])), "both a file and a folder"),
        (encode(multi([[b"caf\xe9.txt"]])), "not valid UTF-8"),
        (encode({**GOOD_INFO, b"name": b"\xff\xfe"}), "not valid UTF-8"),
        (encode(GOOD_INFO, {b"announce-list": b"x"}), "list of lists"),
        (
            bencodepy.encode({b"info": {b"name": b"x", b"file tree": {}, b"piece length": 16384}}),
            "v2-only",
        ),
    ],
)
def test_malformed_corpus_is_refused_with_a_reason(data, message):
    with pytest.raises(MetainfoError, match=message.replace("(", r"\(")):
        parse(data)


def test_limits_on_size_and_file_count(tmp_path):
    data, _, _ = make_torrent(tmp_path, "f", files={f"{i}.txt": 1 for i in range(20)})
    with pytest.raises(MetainfoError, match="at most 100 bytes allowed"):
        parse(data, max_size=100)
    with pytest.raises(MetainfoError, match="20 files; at most 10 allowed"):
        parse(data, max_files=10)


def test_private_flag(tmp_path):
    (tmp_path / "p.bin").write_bytes(b"x" * 100)
    t = torf.Torrent(path=tmp_path / "p.bin", trackers=["http://t/ann"], private=True)
    t.generate()
    assert parse(t.dump()).private is True


def test_a_torrent_made_around_a_magnets_info_keeps_its_hash(tmp_path):
    data, info_hash, _ = make_torrent(tmp_path, "album", files={"a/1.bin": 3000, "2.bin": 10})
    info = bencodepy.encode(bencodepy.decode(data)[b"info"])  # torf writes sorted keys
    assert hashlib.sha1(info).hexdigest() == info_hash
    trackers = ["http://t.example/announce", "udp://u.example:80"]

    meta = parse_metainfo(
        metainfo_from_info(info, trackers=trackers), max_size=1 << 20, max_files=9
    )

    assert meta.info_hash == info_hash
    assert meta.trackers == trackers
    assert sorted(f.path for f in meta.files) == ["2.bin", "a/1.bin"]
    bare = parse_metainfo(metainfo_from_info(info, trackers=[]), max_size=1 << 20, max_files=9)
    assert (bare.info_hash, bare.trackers) == (info_hash, [])


def bomb(items: int) -> bytes:
    """A torrent whose 'info' hides a list of `items` tiny integers: small on the wire, costly
    to decode (3 bytes an item)."""
    return encode({**GOOD_INFO, b"x": [0]}).replace(b"1:xli0ee", b"1:xl" + b"i0e" * items + b"e")


def test_a_bencode_bomb_is_refused_by_the_item_limit_before_decoding():
    data = bomb(3_400_000)  # about 10 MiB, what the attack sent
    with pytest.raises(MetainfoError, match=r"more than 7,296 items \(the limit\)"):
        parse(data, max_size=len(data) + 1)


def test_the_item_limit_follows_the_file_count(tmp_path):
    data, _, _ = make_torrent(tmp_path, "f", files={f"d/{i}.txt": 1 for i in range(100)})
    assert len(parse(data).files) == 100  # a real torrent at max_files passes
    with pytest.raises(MetainfoError, match="too complex"):
        parse(bomb(20_000))


@pytest.mark.parametrize(
    "component",
    ["a" * 256, "é" * 128, "日" * 86],  # 256, 256 and 258 bytes in UTF-8
)
def test_a_path_component_over_255_bytes_is_refused(component):
    long = component.encode()
    with pytest.raises(MetainfoError, match=r"file 1: a path component is .* at most 255 bytes"):
        parse(encode(multi([[b"dir", long]])))
    with pytest.raises(MetainfoError, match=r"name: a path component is .* at most 255 bytes"):
        parse(encode({**GOOD_INFO, b"name": long}))
    assert parse(encode(multi([[b"dir", b"a" * 255]]))).files[0].path == "dir/" + "a" * 255

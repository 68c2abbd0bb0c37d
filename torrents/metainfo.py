"""Reading a .torrent safely: bencode.py under limits, every key and path checked, the info-hash
taken from the exact bytes of the `info` dictionary (re-encoding would change it for torrents whose
keys are not sorted, and rTorrent hashes the bytes it was given).

Anything wrong raises MetainfoError with a message meant for the person who uploaded the file.
"""

import hashlib
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import bencodepy
from bencodepy import BencodeDecodeError, BencodeDecoder

from seedbox.sizes import human_sizes
from torrents.bencode_scan import ScanLimit, bencode_scan

# A real torrent nests 5 deep (dict > dict > list > dict > list); anything far deeper is an attack.
MAX_DEPTH = 16
# A v1 torrent has about 7 items per file (its dictionary, "length" and its value, "path" and
# its components); a hybrid v1+v2 one (libtorrent 2's default) adds a padding file and a file
# tree entry, about 27 in all. The decode is allowed that much work for the largest torrent
# accepted, and no more (see bencode_scan).
ITEMS_PER_FILE = 32
ITEMS_BASE = 4096
# Linux and the usual file systems refuse a file name longer than 255 bytes (ENAMETOOLONG).
MAX_COMPONENT_BYTES = 255
_CONTROL_CHAR = re.compile(r"[\x00-\x1f\x7f]")
# A run of control characters, with the spaces around it.
_CONTROL = re.compile(r" *[\x00-\x1f\x7f-\x9f][ \x00-\x1f\x7f-\x9f]*")


def max_items(max_files: int) -> int:
    """The most bencode items a torrent with `max_files` files may hold."""
    return ITEMS_BASE + ITEMS_PER_FILE * max_files


class MetainfoError(ValueError):
    """The file is not a torrent this site accepts; the message says why."""


@dataclass(frozen=True)
class MetaFile:
    path: str  # '/'-separated, relative to the torrent's name for multi-file torrents
    size: int


@dataclass(frozen=True)
class Metainfo:
    info_hash: str  # v1, lowercase hex
    name: str
    size: int
    piece_length: int
    private: bool
    multi_file: bool
    files: list[MetaFile]
    trackers: list[str] = field(default_factory=list)
    raw: bytes = b""


def _text(value, what: str) -> str:
    if not isinstance(value, bytes):
        raise MetainfoError(f"{what} must be a string")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise MetainfoError(
            f"{what} is not valid UTF-8 ({value[:60]!r}); this site keeps names as text, so "
            "re-create the torrent with UTF-8 file names"
        ) from None


def _int(value, what: str, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise MetainfoError(f"{what} must be an integer")
    if value < minimum:
        raise MetainfoError(f"{what} must be at least {minimum}")
    return value


def check_path_component(part: str, where: str) -> None:
    """Refuse (never rewrite) a component that could leave the torrent's directory or confuse
    a file system: empty, `.`/`..`, with a slash, backslash, NUL or any control character, or
    longer than a file name may be (255 bytes in UTF-8)."""
    if part in ("", ".", ".."):
        raise MetainfoError(f"{where}: the path component {part!r} is not allowed")
    length = len(part.encode("utf-8", "surrogatepass"))
    if length > MAX_COMPONENT_BYTES:
        raise MetainfoError(
            f"{where}: a path component is {length:,} bytes long in UTF-8 ({part[:40]!r}...); "
            f"file names may be at most {MAX_COMPONENT_BYTES} bytes"
        )
    if "/" in part or "\\" in part:
        raise MetainfoError(f"{where}: a path component contains a slash ({part!r})")
    if _CONTROL_CHAR.search(part):
        raise MetainfoError(f"{where}: a path component contains a control character ({part!r})")


def display_name(text: str) -> str:
    """A name given by someone else (a magnet's `dn`) made fit for a page, a log line or a header:
    each run of control characters (CR/LF included) becomes one space."""
    return _CONTROL.sub(" ", text).strip()


def check_relative_path(path: str, where: str) -> list[str]:
    """A '/'-separated relative path, checked component by component; returns the components."""
    if path.startswith("/"):
        raise MetainfoError(f"{where}: absolute paths are not allowed ({path!r})")
    parts = path.split("/")
    for part in parts:
        check_path_component(part, where)
    return parts


def check_unique_paths(paths: list[str], where: str = "files") -> None:
    """No two files with the same path, and no file where another needs a folder."""
    seen: set[str] = set()
    folders: set[str] = set()
    for path in paths:
        if path in seen:
            raise MetainfoError(f"{where}: the path {path!r} appears twice")
        seen.add(path)
        parts = path.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    clash = seen & folders
    if clash:
        raise MetainfoError(f"{where}: {sorted(clash)[0]!r} is both a file and a folder")


def _info_span(decoder: BencodeDecoder, data: bytes) -> tuple[int, int]:
    """Start and end offsets of the top-level `info` value, found with bencode.py's own
    decoding functions (they return the offset where each value ends)."""
    pos, span = 1, None
    while data[pos : pos + 1] != b"e":
        key, pos = decoder.decode_string(data, pos)
        start = pos
        _, pos = decoder.decode_func[data[pos : pos + 1]](data, pos, depth=1)
        if key == b"info":
            if span is not None:
                raise MetainfoError("the torrent has two 'info' dictionaries")
            span = (start, pos)
    if span is None:
        raise MetainfoError("the torrent has no 'info' dictionary")
    return span


def _trackers(top: dict) -> list[str]:
    urls: list[str] = []
    announce_list = top.get(b"announce-list")
    if announce_list is not None:
        if not isinstance(announce_list, list) or not all(
            isinstance(tier, list) for tier in announce_list
        ):
            raise MetainfoError("'announce-list' must be a list of lists")
        urls += [_text(u, "a tracker URL") for tier in announce_list for u in tier]
    if b"announce" in top:
        urls.append(_text(top[b"announce"], "'announce'"))
    result: list[str] = []
    for url in (u.strip() for u in urls):
        if url and url not in result:
            result.append(url)
    return result


def _files(info: dict, name: str, max_files: int) -> tuple[list[MetaFile], bool]:
    if b"length" in info and b"files" in info:
        raise MetainfoError("'info' has both 'length' and 'files'")
    if b"length" in info:
        return [MetaFile(path=name, size=_int(info[b"length"], "'length'"))], False
    files = info.get(b"files")
    if not isinstance(files, list) or not files:
        raise MetainfoError("'info' needs 'length' (one file) or a non-empty 'files' list")
    if len(files) > max_files:
        raise MetainfoError(f"the torrent has {len(files):,} files; at most {max_files:,} allowed")
    result = []
    for number, entry in enumerate(files, 1):
        if not isinstance(entry, dict):
            raise MetainfoError(f"file {number} must be a dictionary")
        size = _int(entry.get(b"length"), f"file {number}: 'length'")
        parts = entry.get(b"path")
        if not isinstance(parts, list) or not parts:
            raise MetainfoError(f"file {number}: 'path' must be a non-empty list")
        texts = [_text(p, f"file {number}: a path component") for p in parts]
        for part in texts:
            check_path_component(part, f"file {number}")
        result.append(MetaFile(path="/".join(texts), size=size))
    check_unique_paths([f.path for f in result])
    return result, True


def parse_metainfo(data: bytes, *, max_size: int, max_files: int) -> Metainfo:
    """The checked contents of a .torrent (bytes), or MetainfoError saying what is wrong."""
    if len(data) > max_size:
        sent, most = human_sizes(len(data), max_size)
        raise MetainfoError(f"the file is {sent}; at most {most} allowed")
    if not data.startswith(b"d"):
        raise MetainfoError("not a torrent file (it must be a bencoded dictionary)")
    try:
        scan = bencode_scan(data, max_items=max_items(max_files), max_depth=MAX_DEPTH)
    except ScanLimit as exc:
        raise MetainfoError(
            f"the torrent is too complex: {exc}; a torrent of up to {max_files:,} files needs "
            "far fewer"
        ) from None
    try:
        top = BencodeDecoder(max_depth=MAX_DEPTH).decode(data)
    except BencodeDecodeError as exc:
        raise MetainfoError(f"not a valid torrent file ({exc}); is it complete?") from None
    except (IndexError, KeyError, TypeError, ValueError):
        raise MetainfoError("not a valid torrent file (bad bencoding); is it complete?") from None
    if scan.duplicate_info:
        raise MetainfoError("the torrent has two 'info' dictionaries")
    if scan.info is None:
        raise MetainfoError("the torrent has no 'info' dictionary")
    start, end = scan.info
    info = top.get(b"info")
    if not isinstance(info, dict):
        raise MetainfoError("'info' must be a dictionary")
    name = _text(info.get(b"name"), "'name'") if b"name" in info else ""
    if not name:
        raise MetainfoError("the torrent has no name")
    check_path_component(name, "name")
    piece_length = _int(info.get(b"piece length"), "'piece length'", minimum=1)
    pieces = info.get(b"pieces")
    if pieces is None and b"file tree" in info:
        raise MetainfoError("v2-only torrents are not supported: it needs a v1 part")
    if not isinstance(pieces, bytes) or len(pieces) % 20:
        raise MetainfoError("'pieces' must be a string of 20-byte SHA-1 hashes")
    files, multi = _files(info, name, max_files)
    size = sum(f.size for f in files)
    if len(pieces) // 20 != math.ceil(size / piece_length):
        raise MetainfoError(
            f"the torrent is inconsistent: {len(pieces) // 20} piece hashes for {size:,} bytes "
            f"in pieces of {piece_length:,}"
        )
    private = info.get(b"private", 0)
    return Metainfo(
        info_hash=hashlib.sha1(data[start:end]).hexdigest(),
        name=name,
        size=size,
        piece_length=piece_length,
        private=isinstance(private, int) and private == 1,
        multi_file=multi,
        files=files,
        trackers=_trackers(top),
        raw=data,
    )


def metainfo_from_info(info: bytes, *, trackers: list[str]) -> bytes:
    """A .torrent around the exact bytes of an `info` dictionary (what a magnet's metadata is:
    rTorrent writes it to `<HASH>.meta`), announcing to `trackers`. The info bytes are kept as
    they are, so the info-hash stays the same; parse the result before trusting it."""
    head: dict[bytes, object] = {}
    if trackers:
        head[b"announce"] = trackers[0].encode()
        head[b"announce-list"] = [[url.encode()] for url in trackers]
    # Keys of a bencoded dictionary are sorted: "announce", "announce-list", then "info".
    return bencodepy.encode(head)[:-1] + b"4:info" + info + b"e"


def metainfo_with_trackers(data: bytes, *, trackers: list[str]) -> bytes:
    """The same torrent (the exact `info` bytes, so the same info-hash) announcing to `trackers`
    only: another account's announce URLs, and the passkeys in them, are not carried over."""
    decoder = BencodeDecoder(max_depth=MAX_DEPTH)
    start, end = _info_span(decoder, data)
    return metainfo_from_info(data[start:end], trackers=trackers)


def tracker_host(url: str) -> str:
    """The lowercase host of an announce URL ('' when it has none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""

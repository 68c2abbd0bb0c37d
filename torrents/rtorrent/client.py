"""The rTorrent client: every call the site makes to an rTorrent daemon goes through here.

Reads of many torrents are one multicall (`d.multicall2` on 0.9.x, `d.multicall` on releases that
renamed it back; detected once with `system.listMethods`). Loading a torrent is confirmed by
looking the info-hash up afterwards, because `load.raw*` answers 0 even for garbage. A .torrent
too large to send in one call is written to a file the daemon reads instead (`load.normal`).
"""

import http.client
import threading
import time
import xmlrpc.client
from collections.abc import Iterable, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from xml.parsers.expat import ExpatError

from seedbox.sizes import human_sizes
from torrents.rtorrent.errors import (
    RequestTooLarge,
    RTorrentError,
    RTorrentFault,
    RTorrentUnavailable,
    TorrentNotFound,
    TorrentNotLoaded,
)
from torrents.rtorrent.fastparse import parse_scalar_rows
from torrents.rtorrent.transport import SCGITransport, make_proxy

UNKNOWN_HASH_FAULT = -501
# rTorrent 0.9.8's SCGI server hangs up on a request body over 2 MiB, whatever
# `network.xmlrpc.size_limit` says (measured: 2,097,152 bytes pass, 2,097,153 get a broken pipe).
# A base64-encoded .torrent over about 1.5 MB does not fit; from a file, 20 MB loaded in 0.4 s.
SCGI_MAX_REQUEST = 2 * 1024 * 1024

# Every field `torrents()` reads by default, in one multicall (the sync reads its own subset,
# `torrents.services.sync.SYNC_FIELDS`).
TORRENT_FIELDS = (
    "d.hash",
    "d.name",
    "d.size_bytes",
    "d.completed_bytes",
    "d.up.total",
    "d.down.total",
    "d.up.rate",
    "d.down.rate",
    "d.ratio",
    "d.state",
    "d.is_active",
    "d.complete",
    "d.is_open",
    "d.hashing",
    "d.message",
    "d.peers_connected",
    "d.peers_complete",
    "d.directory",
    "d.custom1",
)

# What adopting a daemon's torrents reads of each (torrents/services/adopt.py).
ADOPT_FIELDS = (
    "d.hash",
    "d.name",
    "d.size_bytes",
    "d.completed_bytes",
    "d.up.total",
    "d.down.total",
    "d.complete",
    "d.state",
    "d.is_multi_file",
    "d.is_private",
    "d.directory",
    "d.custom1",
)

# What the torrent page's tracker panel reads of each tracker (all exist on 0.9.8).
TRACKER_STATE_FIELDS = (
    "t.url",
    "t.is_enabled",
    "t.is_busy",
    "t.activity_time_last",
    "t.activity_time_next",
    "t.success_time_last",
    "t.failed_time_last",
    "t.success_counter",
    "t.failed_counter",
    "t.scrape_complete",
    "t.scrape_incomplete",
    "t.latest_event",
    "t.latest_sum_peers",
)

# Method names per URL, detected once per process: they change only when rTorrent is upgraded.
_methods_cache: dict[str, frozenset[str]] = {}
_methods_lock = threading.Lock()


def field_key(field: str) -> str:
    """`d.up.total` -> `up_total`: the key a multicall row uses for a field."""
    return field.split(".", 1)[1].replace(".", "_") if "." in field else field


class RTorrentClient:
    """A client for one daemon. Not shared between threads (an HTTP proxy keeps a connection)."""

    def __init__(self, url: str, *, timeout: float = 10.0):
        self.url = url
        self.timeout = timeout
        self._proxy = make_proxy(url, timeout)

    # --- the one place calls are made ----------------------------------------------------
    def call(self, method: str, *args):
        with self._translated_errors(method):
            return getattr(self._proxy, method)(*args)

    def call_rows(self, method: str, *args, width: int) -> list[list]:
        """A call answering rows of `width` scalars (a multicall of getters). Over SCGI the
        answer is read by the fast reader (fastparse.py); otherwise, or when its shape is not the
        expected one, by xmlrpc.client."""
        transport = self._proxy._ServerProxy__transport
        if not isinstance(transport, SCGITransport):
            return self.call(method, *args)
        with self._translated_errors(method):
            body = transport.send(xmlrpc.client.dumps(args, method).encode())
            rows = parse_scalar_rows(body, width)
            if rows is None:
                rows = xmlrpc.client.loads(body, use_builtin_types=True)[0][0]
            return rows

    @contextmanager
    def _translated_errors(self, method: str):
        """Every failure as an RTorrentError, transient or not (see errors.py)."""
        try:
            yield
        except xmlrpc.client.Fault as exc:
            cls = TorrentNotFound if exc.faultCode == UNKNOWN_HASH_FAULT else RTorrentFault
            raise cls(
                f"rTorrent refused {method}: {exc.faultString}", code=exc.faultCode, url=self.url
            ) from None
        except xmlrpc.client.ProtocolError as exc:
            message = f"{self.url} answered HTTP {exc.errcode} {exc.errmsg}".strip()
            if exc.errcode >= 500:
                raise RTorrentUnavailable(message, url=self.url) from None
            raise RTorrentError(message, url=self.url) from None
        except (OSError, http.client.HTTPException) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else str(exc)
            raise RTorrentUnavailable(
                f"rTorrent at {self.url} is unreachable: {reason or type(exc).__name__}",
                url=self.url,
            ) from None
        except ExpatError as exc:
            raise RTorrentError(f"{self.url} did not answer XML-RPC: {exc}", url=self.url) from None

    # --- the daemon --------------------------------------------------------------------
    def methods(self) -> frozenset[str]:
        with _methods_lock:
            cached = _methods_cache.get(self.url)
        if cached is None:
            cached = frozenset(self.call("system.listMethods"))
            with _methods_lock:
                _methods_cache[self.url] = cached
        return cached

    def version(self) -> str:
        return self.call("system.client_version")

    def api_version(self) -> int:
        return int(self.call("system.api_version"))

    def system_multicall(self, calls: Sequence[tuple[str, Sequence]]) -> list:
        """Many calls in one request. Each result is the value, or an RTorrentFault instance."""
        answer = self.call(
            "system.multicall", [{"methodName": m, "params": list(p)} for m, p in calls]
        )
        results = []
        for (method, _), item in zip(calls, answer, strict=True):
            if isinstance(item, dict):
                code = item.get("faultCode", 0)
                cls = TorrentNotFound if code == UNKNOWN_HASH_FAULT else RTorrentFault
                results.append(cls(f"{method}: {item.get('faultString')}", code=code, url=self.url))
            else:
                results.append(item[0])
        return results

    def global_stats(self) -> dict:
        values = self.system_multicall(
            [
                ("system.client_version", ()),
                ("throttle.global_up.rate", ()),
                ("throttle.global_down.rate", ()),
                ("throttle.global_up.total", ()),
                ("throttle.global_down.total", ()),
                ("directory.default", ()),
            ]
        )
        keys = ("version", "up_rate", "down_rate", "up_total", "down_total", "directory")
        return dict(zip(keys, values, strict=True))

    # --- many torrents at once ---------------------------------------------------------
    def multicall_method(self) -> str:
        methods = self.methods()
        for name in ("d.multicall2", "d.multicall"):
            if name in methods:
                return name
        raise RTorrentError(f"{self.url} has neither d.multicall2 nor d.multicall", url=self.url)

    def torrents(self, fields: Iterable[str] = TORRENT_FIELDS, *, view: str = "main") -> list[dict]:
        """Every torrent in `view`, one dict per torrent keyed by `field_key`, in one call."""
        fields = tuple(fields)
        rows = self.call_rows(
            self.multicall_method(), "", view, *[f"{f}=" for f in fields], width=len(fields)
        )
        keys = [field_key(f) for f in fields]
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def adoptable(self) -> list[dict]:
        """Every torrent with what adopting it needs (ADOPT_FIELDS), and `session_file`, where
        the daemon keeps its copy of the .torrent (0.9.8 has no d.session_file)."""
        session = self.call("session.path")
        rows = self.torrents(ADOPT_FIELDS)
        for row in rows:
            row["session_file"] = (
                f"{session.rstrip('/')}/{row['hash'].upper()}.torrent" if session else ""
            )
        return rows

    def hashes(self, view: str = "main") -> list[str]:
        return [h.lower() for h in self.call("download_list", "", view)]

    def files(self, info_hash: str) -> list[dict]:
        fields = ("f.path", "f.size_bytes", "f.completed_chunks", "f.size_chunks", "f.priority")
        rows = self.call("f.multicall", _h(info_hash), "", *[f"{f}=" for f in fields])
        return [dict(zip([field_key(f) for f in fields], row, strict=True)) for row in rows]

    def file_priorities(self, info_hash: str) -> list[int]:
        """Each file's priority as rTorrent has it (0 off, 1 normal, 2 high), by file index."""
        return [int(row[0]) for row in self.call("f.multicall", _h(info_hash), "", "f.priority=")]

    def file_priorities_set(self, info_hash: str, priorities: Sequence[int]) -> None:
        """Give file number i the priority `priorities[i]` (0 off: never fetched, 1 normal,
        2 high), then `d.update_priorities`, without which rTorrent keeps fetching by the old
        ones. Batched like `save_resume` (10,000 files are five calls); a fault on any file
        (an unknown hash, an index past the end) is raised."""
        h = _h(info_hash)
        calls = [("f.priority.set", (f"{h}:f{i}", int(p))) for i, p in enumerate(priorities)]
        for start in range(0, len(calls), 2000):
            results = self.system_multicall(calls[start : start + 2000])
            failure = next((r for r in results if isinstance(r, RTorrentError)), None)
            if failure is not None:
                raise failure
        self.call("d.update_priorities", h)

    def wants_more(self, info_hash: str) -> bool:
        """Whether a started, active download still wants chunks (`d.wanted_chunks`: chunks of
        files not skipped that it does not have yet)."""
        h = _h(info_hash)
        state, active, wanted = self.system_multicall(
            [("d.state", (h,)), ("d.is_active", (h,)), ("d.wanted_chunks", (h,))]
        )
        for value in (state, active, wanted):
            if isinstance(value, RTorrentError):
                raise value
        return bool(state) and bool(active) and int(wanted) > 0

    def reconnect(self, info_hash: str) -> None:
        """Stop and start the download (no hash check: its data is known) and announce: every
        peer connection is made anew. rTorrent 0.9.8 never asks the connections it kept for
        pieces that became wanted after its wanted ones were done (a file un-skipped then)."""
        h = _h(info_hash)
        results = self.system_multicall(
            [("d.stop", (h,)), ("d.start", (h,)), ("d.tracker_announce", (h,))]
        )
        failure = next((r for r in results if isinstance(r, RTorrentError)), None)
        if failure is not None:
            raise failure

    def trackers(self, info_hash: str) -> list[dict]:
        fields = (
            "t.url",
            "t.is_enabled",
            "t.scrape_complete",
            "t.scrape_incomplete",
            "t.success_counter",
        )
        rows = self.call("t.multicall", _h(info_hash), "", *[f"{f}=" for f in fields])
        return [dict(zip([field_key(f) for f in fields], row, strict=True)) for row in rows]

    def tracker_states(self, info_hash: str) -> tuple[list[dict], str]:
        """Every tracker's state (TRACKER_STATE_FIELDS, times in Unix seconds, 0 for never)
        and the torrent's `d.message`, where rTorrent 0.9.8 puts the last tracker failure
        (`Tracker: [Failure reason "..."]`; it keeps no message per tracker), in one request."""
        h = _h(info_hash)
        fields = [f"{f}=" for f in TRACKER_STATE_FIELDS]
        rows, message = self.system_multicall(
            [("t.multicall", (h, "", *fields)), ("d.message", (h,))]
        )
        for answer in (rows, message):
            if isinstance(answer, RTorrentError):
                raise answer
        keys = [field_key(f) for f in TRACKER_STATE_FIELDS]
        return [dict(zip(keys, row, strict=True)) for row in rows], message or ""

    def peers(self, info_hash: str) -> list[dict]:
        fields = ("p.address", "p.port", "p.client_version", "p.down_total", "p.up_total")
        rows = self.call("p.multicall", _h(info_hash), "", *[f"{f}=" for f in fields])
        return [dict(zip([field_key(f) for f in fields], row, strict=True)) for row in rows]

    # --- one torrent -------------------------------------------------------------------
    def load(
        self,
        metainfo: bytes,
        info_hash: str,
        *,
        start: bool = True,
        commands: Sequence[str] = (),
        confirm_timeout: float = 5.0,
        spill_dir: Path | None = None,
    ) -> None:
        """Load a .torrent with trailing commands (e.g. `d.directory.set=/path`) and confirm
        that `info_hash` appeared; raise TorrentNotLoaded when it did not.

        A .torrent too large for one call is written into `spill_dir` (a directory the daemon
        reads at the same path, such as the torrent's own) and loaded from there; without one it
        is refused with RequestTooLarge, before anything is sent."""
        method = "load.raw_start" if start else "load.raw"
        args = ("", xmlrpc.client.Binary(metainfo), *commands)
        if len(xmlrpc.client.dumps(args, method).encode()) <= SCGI_MAX_REQUEST:
            self.call(method, *args)
            self._confirm_loaded(info_hash, confirm_timeout)
            return
        if spill_dir is None:
            sent, most = human_sizes(len(metainfo), SCGI_MAX_REQUEST)
            raise RequestTooLarge(
                f"the .torrent is {sent}: too large to send to rTorrent in one "
                f"call (at most {most} of request), and no shared directory "
                "to load it from",
                url=self.url,
            )
        path = Path(spill_dir) / f".{info_hash.lower()}.torrent"
        path.write_bytes(metainfo)
        try:
            # Untied, so that rTorrent never acts on the file (it keeps its own copy in the
            # session); the file goes once the torrent is in.
            self.call(
                "load.start" if start else "load.normal",
                "",
                str(path),
                *commands,
                "d.tied_to_file.set=",
            )
            self._confirm_loaded(info_hash, confirm_timeout)
        finally:
            with suppress(OSError):
                path.unlink()

    def _confirm_loaded(self, info_hash: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.has(info_hash):
                return
            if time.monotonic() >= deadline:
                raise TorrentNotLoaded(
                    f"rTorrent did not take torrent {info_hash.lower()}: it answered the load "
                    "but the info-hash never appeared (malformed metainfo? see its log)",
                    url=self.url,
                )
            time.sleep(0.05)

    def has(self, info_hash: str) -> bool:
        try:
            self.call("d.hash", _h(info_hash))
        except TorrentNotFound:
            return False
        return True

    def name(self, info_hash: str) -> str:
        return self.call("d.name", _h(info_hash))

    def start(self, info_hash: str) -> None:
        self.call("d.start", _h(info_hash))

    def stop(self, info_hash: str) -> None:
        self.call("d.stop", _h(info_hash))

    def pause(self, info_hash: str) -> None:
        self.call("d.pause", _h(info_hash))

    def resume(self, info_hash: str) -> None:
        self.call("d.resume", _h(info_hash))

    def check_hash(self, info_hash: str) -> None:
        self.call("d.check_hash", _h(info_hash))

    def transfer_state(self, info_hash: str) -> dict:
        """One torrent's state, progress and counters in one request (moving it between nodes
        reads them on both): state, is_active, complete, hashing, is_hash_checked, completed_bytes,
        size_bytes, up_total, down_total. A fault (unknown hash) is raised."""
        h = _h(info_hash)
        fields = (
            "d.state",
            "d.is_active",
            "d.complete",
            "d.hashing",
            "d.is_hash_checked",
            "d.completed_bytes",
            "d.size_bytes",
            "d.up.total",
            "d.down.total",
        )
        values = self.system_multicall([(f, (h,)) for f in fields])
        failure = next((v for v in values if isinstance(v, RTorrentError)), None)
        if failure is not None:
            raise failure
        return {field_key(f): int(v) for f, v in zip(fields, values, strict=True)}

    def erase(self, info_hash: str) -> None:
        """Remove the torrent from rTorrent. Its data stays on disk: deleting it is the caller's."""
        self.call("d.erase", _h(info_hash))

    def announce(self, info_hash: str) -> None:
        """Announce to the trackers now (a stopped or paused torrent does not: rTorrent ignores
        it). Never more than 10 times in 10 s per tracker: rTorrent 0.9.8 aborts then."""
        self.call("d.tracker_announce", _h(info_hash))

    def save_resume(self, info_hashes: Sequence[str]) -> None:
        """Save these torrents' session state (counters, progress) now, in one call: after a
        crash rTorrent comes back with what was saved last. Batched to stay far below the
        SCGI request limit."""
        for start in range(0, len(info_hashes), 2000):
            batch = info_hashes[start : start + 2000]
            self.system_multicall([("d.save_resume", (_h(h),)) for h in batch])

    def is_meta(self, info_hash: str) -> bool:
        """True while the torrent is a magnet link's metadata download (no files yet)."""
        return bool(self.call("d.is_meta", _h(info_hash)))

    def tracker_insert(self, info_hash: str, url: str, *, group: int = 0) -> None:
        """Add an announce URL to a loaded torrent (rTorrent keeps it until the torrent goes)."""
        self.call("d.tracker.insert", _h(info_hash), str(group), str(url))

    # --- speed: global limits and named throttle groups -----------------------------------
    # Measured on 0.9.8: a named group throttles nothing while the global limit of its direction
    # is 0 (unlimited); `d.throttle_name.set` is refused on an active download ("Cannot set
    # throttle on active download"), so an active one is stopped, named and started again; a
    # group's rate changes at runtime; groups are not kept across a restart (the name is, but the
    # download runs unthrottled until it is named again once its group exists).
    def global_limits_set(self, *, up_bytes: int, down_bytes: int) -> None:
        """The daemon's global rates in bytes/s (rTorrent refuses 1 GiB/s and more)."""
        self.system_multicall(
            [
                ("throttle.global_up.max_rate.set", ("", int(up_bytes))),
                ("throttle.global_down.max_rate.set", ("", int(down_bytes))),
            ]
        )

    def global_limits(self) -> tuple[int, int]:
        up, down = self.system_multicall(
            [("throttle.global_up.max_rate", ()), ("throttle.global_down.max_rate", ())]
        )
        return int(up), int(down)

    def throttle_groups_set(self, groups: dict[str, tuple[int, int]]) -> None:
        """Define or change named groups, {name: (up KiB/s, down KiB/s)}, 0: unlimited; one call."""
        calls = []
        for name, (up, down) in groups.items():
            calls += [
                ("throttle.up", ("", name, str(up))),
                ("throttle.down", ("", name, str(down))),
            ]
        for start in range(0, len(calls), 2000):
            failure = next(
                (
                    r
                    for r in self.system_multicall(calls[start : start + 2000])
                    if isinstance(r, Exception)
                ),
                None,
            )
            if failure is not None:
                raise failure

    def throttle_group_max(self, name: str) -> tuple[int, int]:
        """A group's (up, down) maximum in bytes/s; -1 when it does not exist or is unlimited."""
        up, down = self.system_multicall(
            [("throttle.up.max", ("", name)), ("throttle.down.max", ("", name))]
        )
        return int(up), int(down)

    def throttle_names(self) -> dict[str, tuple[str, bool]]:
        """{info-hash: (throttle name, active)} for every torrent, in one multicall."""
        rows = self.torrents(("d.hash", "d.throttle_name", "d.is_active"))
        return {r["hash"].lower(): (r["throttle_name"], bool(r["is_active"])) for r in rows}

    def throttle_names_set(self, names: dict[str, tuple[str, bool]]) -> None:
        """Put torrents in groups, {info-hash: (name, active)}, one call: an active one is
        stopped, named and started (see above); "" takes it out of every group."""
        items = list(names.items())
        for start in range(0, len(items), 600):
            calls = []
            for info_hash, (name, active) in items[start : start + 600]:
                h = _h(info_hash)
                named = ("d.throttle_name.set", (h, name))
                calls += [("d.stop", (h,)), named, ("d.start", (h,))] if active else [named]
            self.system_multicall(calls)

    def tracker_enable(self, info_hash: str, index: int, enabled: bool) -> None:
        """Turn the torrent's tracker number `index` (in `trackers()` order) on or off."""
        self.call("t.is_enabled.set", f"{_h(info_hash)}:t{index}", int(enabled))


def throttle_name_command(name: str) -> str:
    """The trailing command of a load that puts the torrent in a throttle group as it loads."""
    return f"d.throttle_name.set={name}"


def _h(info_hash: str) -> str:
    return info_hash.upper()

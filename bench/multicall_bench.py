"""One d.multicall2 over N loaded torrents against N single calls, on a real rTorrent.

    .venv/bin/python bench/multicall_bench.py [--torrents 2000] [--repeat 5]

Prints medians and the ratio single/multicall, measured in the same run on the same daemon.
"""

import argparse
import xmlrpc.client

from common import median_ms, running_rtorrent, timed, tiny_torrent, wait_loaded

from torrents.rtorrent import TORRENT_FIELDS, RTorrentClient


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--torrents", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with running_rtorrent() as daemon:
        client = RTorrentClient(daemon.config.url, timeout=60)
        hashes = []
        for number in range(args.torrents):
            metainfo, info_hash = tiny_torrent(number)
            client.call("load.raw", "", xmlrpc.client.Binary(metainfo))
            hashes.append(info_hash.upper())
        version = client.version()
        loaded = wait_loaded(client, args.torrents)
        assert loaded == args.torrents, f"only {loaded} of {args.torrents} loaded"

        one_field = timed(lambda: client.torrents(["d.name"]), args.repeat)
        all_fields = timed(lambda: client.torrents(TORRENT_FIELDS), args.repeat)
        method = client.multicall_method()
        rpc_args = ("", "main", *[f"{f}=" for f in TORRENT_FIELDS])
        generic = timed(lambda: client.call(method, *rpc_args), args.repeat)
        singles = timed(lambda: [client.call("d.name", h) for h in hashes], args.repeat)

    n = args.torrents
    print(f"rTorrent {version}, {n} torrents loaded (stopped)")
    print(f"one multicall, 1 field:            {median_ms(one_field):8.1f} ms")
    print(
        f"one multicall, {len(TORRENT_FIELDS)} fields (full read): {median_ms(all_fields):8.1f} ms"
    )
    print(f"  the same through xmlrpc.client:   {median_ms(generic):8.1f} ms")
    print(f"{n} single d.name calls:          {median_ms(singles):8.1f} ms")
    print(f"ratio singles / multicall(1 field): {median_ms(singles) / median_ms(one_field):6.1f}x")
    print(
        f"ratio singles(1 field) / multicall({len(TORRENT_FIELDS)} fields): "
        f"{median_ms(singles) / median_ms(all_fields):6.1f}x"
    )


if __name__ == "__main__":
    main()

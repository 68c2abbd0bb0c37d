"""Run the managed rTorrent in the foreground: rc from settings, clean stop on SIGTERM/SIGINT."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from torrents.rtorrent.daemon import DaemonError, ManagedRTorrent
from torrents.services.nodes import managed_daemon_config, node_ensure_managed


class Command(BaseCommand):
    help = "Run the managed rTorrent daemon in the foreground (stops cleanly on SIGTERM/SIGINT)."

    def handle(self, *args, **options):
        config = managed_daemon_config()
        config.base_dir.mkdir(parents=True, exist_ok=True)
        daemon = ManagedRTorrent(config)
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        try:
            daemon.start()
        except DaemonError as exc:
            raise CommandError(str(exc)) from None
        node_ensure_managed()
        self.stdout.write(
            f"rtorrentd: rTorrent pid {daemon.process.pid} on {config.url}, "
            f"data in {config.data_dir}, log {config.log_path}"
        )
        while not stopping and daemon.process.poll() is None:
            time.sleep(0.2)
        code = daemon.stop()
        if not stopping:
            raise CommandError(
                f"rTorrent exited on its own with code {code}; see {config.log_path}"
            )
        self.stdout.write(f"rtorrentd: rTorrent stopped (exit code {code}).")

"""`manage.py torrent_move <torrent id> <node>`: move a torrent to another node now, in this
process (torrents/services/move.py); the admin's "Move to node" queues the same move instead."""

from django.core.management.base import BaseCommand, CommandError

from torrents.models import Node, Torrent
from torrents.services.move import MoveError, torrent_move


class Command(BaseCommand):
    help = "Move a torrent's data and seeding to another node (copied, rechecked, switched)."

    def add_arguments(self, parser):
        parser.add_argument("torrent_id", type=int)
        parser.add_argument("node", help="the target node's name")
        parser.add_argument(
            "--data-in-place",
            action="store_true",
            help="you copied its data into the target's <data root>/<hash[:2]>/<hash>/ already "
            "(a node on another host): nothing is copied, and the source copy is yours to delete",
        )

    def handle(self, *args, torrent_id: int, node: str, data_in_place: bool, **options):
        target = Node.objects.filter(name=node).first()
        if target is None:
            raise CommandError(f"no node named {node!r}")
        if not Torrent.objects.filter(pk=torrent_id).exists():
            raise CommandError(f"no torrent {torrent_id}")
        try:
            report = torrent_move(
                torrent_id=torrent_id, target_id=target.pk, data_in_place=data_in_place
            )
        except MoveError as exc:
            raise CommandError(f"not moved (still on its node): {exc}") from None
        self.stdout.write(
            f"moved torrent {report.torrent_id} from {report.source} to {report.target} "
            f"({report.copied_bytes} bytes copied{', started' if report.started else ''})"
        )
        if report.left_behind:
            self.stdout.write(f"its source copy is left for you to delete: {report.left_behind}")

"""`manage.py node_adopt <node> --owner EMAIL`: take over the torrents a daemon already has
(torrents/services/adopt.py). Prints one line per torrent; safe to run again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from torrents.models import Node
from torrents.services.adopt import AdoptError, node_adopt


class Command(BaseCommand):
    help = "Adopt the torrents a node's rTorrent already has, for one owner."

    def add_arguments(self, parser):
        parser.add_argument("node", help="the node's name")
        parser.add_argument("--owner", required=True, help="the email of the user who owns them")

    def handle(self, *args, node: str, owner: str, **options):
        found = Node.objects.filter(name=node).first()
        if found is None:
            raise CommandError(f"no node named {node!r}")
        user = get_user_model().objects.filter(email__iexact=owner).first()
        if user is None:
            raise CommandError(f"no user with the email {owner!r}")
        try:
            report = node_adopt(node=found, owner=user)
        except AdoptError as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(
            f"{len(report.adopted)} adopted, {len(report.skipped)} already here, "
            f"{len(report.refused)} refused"
        )

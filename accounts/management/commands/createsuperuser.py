"""Django's `createsuperuser`, whose admin can log in at once: the address the operator typed
is confirmed (allauth would otherwise ask the new admin to open a confirmation mail first)."""

from django.contrib.auth.management.commands import createsuperuser
from django.db.models import Max

from accounts.services.operator import operator_account_confirm


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        users = self.UserModel._default_manager.db_manager(options["database"])
        # Django's command does not hand back the user it made: take the superusers made after
        # the newest account that existed before it ran.
        before = users.aggregate(last=Max("pk"))["last"] or 0
        super().handle(*args, **options)
        for user in users.filter(pk__gt=before, is_superuser=True):
            operator_account_confirm(user=user)

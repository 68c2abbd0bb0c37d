"""Accounts an operator makes from the shell (`manage.py createsuperuser`): the operator vouches
for the address, so it is confirmed at once; mailing a link to a freshly made admin would only
lock them out of the site until they found it (and on a box without mail, for good)."""

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User


def operator_account_confirm(*, user: User) -> EmailAddress:
    """The user's address, verified and primary (any other address stops being primary)."""
    with transaction.atomic():
        EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(
            primary=False
        )
        address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
        if address is None:
            return EmailAddress.objects.create(
                user=user, email=user.email, verified=True, primary=True
            )
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
        return address

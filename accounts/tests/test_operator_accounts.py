"""An admin made from the shell logs in at once: `createsuperuser` confirms the address the
operator typed, instead of holding the login back for a confirmation mail."""

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from accounts.testing import PASSWORD, make_user


def test_createsuperuser_makes_an_admin_who_can_log_in(db, monkeypatch, outbox):
    make_user("someone@example.com", confirmed=False)  # a sign-up waiting: left alone
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", email="Root@Example.com", verbosity=0)

    admin = User.objects.get(is_superuser=True)
    address = EmailAddress.objects.get(user=admin)
    assert (address.email, address.verified, address.primary) == (admin.email, True, True)
    assert not EmailAddress.objects.get(email="someone@example.com").verified
    response = Client().post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert "confirm-email" not in response["Location"]
    assert outbox == []  # no confirmation mail to open

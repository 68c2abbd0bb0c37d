"""A staff member who is not a superuser manages users, but cannot take over an account: no
one's email or password but their own, and no change or deletion of a superuser at all."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.sites import site
from django.core import mail
from django.test import RequestFactory

from accounts.models import User
from accounts.testing import make_user


@pytest.fixture
def staff(db) -> User:
    return make_user("staff@example.com", is_staff=True)


def test_staff_cannot_redirect_a_superusers_email_or_disable_or_delete_them(
    api_client_for, staff, admin_user
):
    client = api_client_for(staff)
    url = f"/api/users/{admin_user.pk}"

    for change in ({"email": "evil@attacker.test"}, {"is_active": False}, {"is_staff": False}):
        response = client.patch(url, change, format="json")
        assert response.status_code == 400, (change, response.data)
        assert "Only a superuser" in str(response.data)
    assert client.delete(url).status_code == 403

    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert admin_user.is_staff
    assert admin_user.email == "admin@example.com"
    assert not EmailAddress.objects.filter(email="evil@attacker.test").exists()
    assert not [m for m in mail.outbox if "evil@attacker.test" in m.to]


def test_only_the_user_changes_their_email(api_client_for, admin_user, user):
    response = api_client_for(admin_user).patch(
        f"/api/users/{user.pk}", {"email": "elsewhere@example.com"}, format="json"
    )

    assert response.status_code == 400
    assert "email" in response.data
    assert not EmailAddress.objects.filter(email="elsewhere@example.com").exists()


def test_staff_still_manage_ordinary_users(api_client_for, staff, user):
    response = api_client_for(staff).patch(
        f"/api/users/{user.pk}", {"quota_bytes": 123_456, "trusted": True}, format="json"
    )

    assert response.status_code == 200, response.data
    user.refresh_from_db()
    assert (user.quota_bytes, user.trusted) == (123_456, True)


def test_a_superuser_may_manage_another_superuser(api_client_for, admin_user):
    other_root = make_user("root2@example.com", is_staff=True, is_superuser=True)

    response = api_client_for(admin_user).patch(
        f"/api/users/{other_root.pk}", {"trusted": True}, format="json"
    )

    assert response.status_code == 200


def test_the_django_admin_applies_the_same_rule(staff, admin_user):
    request = RequestFactory().get("/admin/")
    request.user = staff
    user_admin = site._registry[User]

    assert not user_admin.has_change_permission(request, admin_user)
    assert not user_admin.has_delete_permission(request, admin_user)

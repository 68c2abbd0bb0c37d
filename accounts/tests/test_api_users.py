"""/api/users*: every persona on every endpoint; no field raises a user's own rights."""

import io

import pytest
from allauth.account.models import EmailAddress
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from accounts.testing import PASSWORD, make_user
from accounts.tests.conftest import confirm_key

pytestmark = pytest.mark.django_db


def png_upload(name: str = "me.png", size=(40, 30)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(data, "PNG")
    data.seek(0)
    data.name = name
    return data


# --- reading -------------------------------------------------------------------------------


def test_list_admin_sees_everyone_and_can_search(user, other_user, admin_user, api_client_for):
    client = api_client_for(admin_user)

    everyone = client.get("/api/users").json()
    found = client.get("/api/users", {"search": "bob"}).json()

    assert everyone["count"] == 3
    assert [u["email"] for u in found["results"]] == [other_user.email]


def test_list_a_user_sees_only_themself(user, other_user, api_client_for):
    body = api_client_for(user).get("/api/users").json()

    assert [u["email"] for u in body["results"]] == [user.email]
    assert body["results"][0]["email_confirmed"] is True


def test_list_anonymous_is_401(user):
    assert APIClient().get("/api/users").status_code == 401


@pytest.mark.parametrize("path", ["/api/users/{id}", "/api/users/me"])
def test_detail_owner_sees_own_record(path, user, api_client_for):
    response = api_client_for(user).get(path.format(id=user.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["quota_bytes"] == user.quota_bytes
    assert body["used_bytes"] == 0
    assert "password" not in body


def test_detail_another_user_gets_404_like_a_missing_id(user, other_user, api_client_for):
    client = api_client_for(other_user)

    assert client.get(f"/api/users/{user.pk}").status_code == 404
    assert client.get("/api/users/999999").status_code == 404


def test_detail_admin_sees_anyone(user, admin_user, api_client_for):
    response = api_client_for(admin_user).get(f"/api/users/{user.pk}")

    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_detail_anonymous_is_401(user):
    assert APIClient().get(f"/api/users/{user.pk}").status_code == 401
    assert APIClient().get("/api/users/me").status_code == 401


# --- changing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"is_staff": True},
        {"is_superuser": True},
        {"quota_bytes": 10**15},
        {"trusted": True},
        {"is_active": False},
        {"roles": ["admin"]},
        {"groups": [1]},
        {"is_staff": True, "email": "sneaky@example.com"},
    ],
)
def test_patch_self_cannot_raise_own_rights(change, user, api_client_for, outbox):
    before = User.objects.filter(pk=user.pk).values().get()

    response = api_client_for(user).patch("/api/users/me", change, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(change) - {"email"}
    assert User.objects.filter(pk=user.pk).values().get() == before
    assert outbox == []


def test_patch_self_ignores_read_only_fields(user, api_client_for):
    response = api_client_for(user).patch(
        "/api/users/me", {"used_bytes": 0, "id": 5, "date_joined": "2000-01-01"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_patch_admin_sets_quota_trust_staff_and_active(user, admin_user, api_client_for):
    change = {"quota_bytes": 5 * 1024**3, "trusted": True, "is_staff": True, "is_active": False}

    response = api_client_for(admin_user).patch(f"/api/users/{user.pk}", change, format="json")

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.quota_bytes, user.trusted, user.is_staff, user.is_active) == (
        5 * 1024**3,
        True,
        True,
        False,
    )
    assert not user.is_superuser


def test_patch_admin_cannot_make_a_superuser_or_set_a_negative_quota(
    user, admin_user, api_client_for
):
    client = api_client_for(admin_user)

    superuser = client.patch(f"/api/users/{user.pk}", {"is_superuser": True}, format="json")
    negative = client.patch(f"/api/users/{user.pk}", {"quota_bytes": -1}, format="json")

    assert superuser.status_code == negative.status_code == 400
    user.refresh_from_db()
    assert not user.is_superuser
    assert user.quota_bytes == 10 * 1024**3


def test_patch_another_user_is_404_and_changes_nothing(user, other_user, api_client_for):
    response = api_client_for(other_user).patch(
        f"/api/users/{user.pk}", {"email": "mine@example.com"}, format="json"
    )

    assert response.status_code == 404
    assert not EmailAddress.objects.filter(email="mine@example.com").exists()


def test_patch_anonymous_is_401(user):
    response = APIClient().patch(f"/api/users/{user.pk}", {"trusted": True}, format="json")

    assert response.status_code == 401


def test_patch_email_is_applied_only_once_the_new_address_is_confirmed(
    user, api_client_for, outbox
):
    client = api_client_for(user)

    response = client.patch(
        "/api/users/me",
        {"email": "Alice.New@example.com", "current_password": PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert response.json()["email_pending"] == "alice.new@example.com"
    (message,) = outbox
    assert message.to == ["alice.new@example.com"]
    confirmed = APIClient().get("/api/authenticate/confirm", {"token": confirm_key(message)})
    assert confirmed.status_code == 200
    me = client.get("/api/users/me").json()
    assert me["email"] == "alice.new@example.com"
    assert me["email_confirmed"]
    assert me["email_pending"] is None
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "alice.new@example.com"
    ]


def test_patch_email_to_a_taken_address_looks_the_same_but_changes_nothing(
    user, other_user, api_client_for, outbox
):
    response = api_client_for(user).patch(
        "/api/users/me", {"email": other_user.email, "current_password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["email_pending"] is None
    assert [m.to for m in outbox] == [[other_user.email]]
    assert "/accounts/confirm-email/" not in outbox[0].body


def test_patch_password_needs_the_current_one(user, api_client_for):
    client = api_client_for(user)

    missing = client.patch("/api/users/me", {"password": "brand-New-1234"}, format="json")
    wrong = client.patch(
        "/api/users/me",
        {"password": "brand-New-1234", "current_password": "wrong"},
        format="json",
    )
    weak = client.patch(
        "/api/users/me", {"password": "12345678", "current_password": PASSWORD}, format="json"
    )

    assert missing.status_code == wrong.status_code == weak.status_code == 400
    assert "current_password" in missing.json()
    assert "current_password" in wrong.json()
    assert "password" in weak.json()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_patch_password_keeps_this_token_and_revokes_the_others(user, api_client_for):
    client = api_client_for(user)
    elsewhere = api_client_for(user)

    response = client.patch(
        "/api/users/me",
        {"password": "brand-New-1234", "current_password": PASSWORD},
        format="json",
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("brand-New-1234")
    assert client.get("/api/users/me").status_code == 200
    assert elsewhere.get("/api/users/me").status_code == 401


def test_an_admin_cannot_set_another_users_password(user, admin_user, api_client_for):
    response = api_client_for(admin_user).patch(
        f"/api/users/{user.pk}",
        {"password": "brand-New-1234", "current_password": PASSWORD},
        format="json",
    )

    assert response.status_code == 400
    assert "password" in response.json()


# --- avatar --------------------------------------------------------------------------------


def test_avatar_upload_read_and_remove(
    user, other_user, admin_user, api_client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = api_client_for(user)

    uploaded = client.patch("/api/users/me", {"avatar": png_upload()}, format="multipart")

    assert uploaded.status_code == 200
    url = uploaded.json()["avatar"]
    assert url.endswith(f"/api/users/{user.pk}/avatar")
    image = client.get(url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).size == (40, 30)
    assert api_client_for(admin_user).get(url).status_code == 200
    assert api_client_for(other_user).get(url).status_code == 404
    assert APIClient().get(url).status_code == 401
    stored = tmp_path / User.objects.get(pk=user.pk).avatar.name

    removed = client.patch("/api/users/me", {"avatar": None}, format="json")

    assert removed.status_code == 200
    assert removed.json()["avatar"] is None
    assert not stored.exists()
    assert client.get(url).status_code == 404


def test_avatar_that_is_not_an_image_is_refused(user, api_client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    fake.name = "me.png"

    response = api_client_for(user).patch("/api/users/me", {"avatar": fake}, format="multipart")

    assert response.status_code == 400
    assert "avatar" in response.json()
    assert not User.objects.get(pk=user.pk).avatar


# --- deleting ------------------------------------------------------------------------------


def test_delete_by_another_user_is_404(user, other_user, api_client_for):
    assert api_client_for(other_user).delete(f"/api/users/{user.pk}").status_code == 404
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_anonymous_is_401(user):
    assert APIClient().delete(f"/api/users/{user.pk}").status_code == 401


def test_delete_self_removes_the_account_and_its_tokens(user, api_client_for):
    client = api_client_for(user)

    assert client.delete("/api/users/me").status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert client.get("/api/users/me").status_code == 401


def test_delete_by_admin(user, admin_user, api_client_for):
    assert api_client_for(admin_user).delete(f"/api/users/{user.pk}").status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()


def test_unconfirmed_user_appears_unconfirmed_to_admin(admin_user, api_client_for):
    waiting = make_user("waiting@example.com", confirmed=False)

    body = api_client_for(admin_user).get(f"/api/users/{waiting.pk}").json()

    assert body["email_confirmed"] is False

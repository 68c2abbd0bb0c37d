"""Test personas shared by every app's tests (imported by the root conftest.py).

`user` (alice), `other_user` (bob) and `admin_user` (staff and superuser; it replaces
pytest-django's, so `admin_client` logs this one in) all have a confirmed email and the password
PASSWORD. `api_client_for(user)` is a DRF APIClient sending a fresh API token of that user;
`api_client_for(None)` is anonymous.
"""

import uuid

import pytest
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services.tokens import api_token_create

PASSWORD = "plum-Orchard-1947"


def make_user(email: str, *, password: str = PASSWORD, confirmed: bool = True, **fields) -> User:
    user = User.objects.create_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=confirmed)
    return user


@pytest.fixture
def user(db) -> User:
    return make_user("alice@example.com")


@pytest.fixture
def other_user(db) -> User:
    return make_user("bob@example.com")


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client_for(db):
    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            _, key = api_token_create(user=user, name="test")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            client.token_key = key
        return client

    return make


@pytest.fixture(autouse=True)
def _cache_namespace_per_test(settings):
    """Each test counts rate limits (and caches anything) under its own key prefix in the real
    Redis, so tests neither see each other's counts nor need to flush the shared database."""
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    for config in caches.values():
        config["KEY_PREFIX"] = f"{config.get('KEY_PREFIX', '')}:test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches

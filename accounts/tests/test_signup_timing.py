"""Sign-up takes as long for an address that has an account as for a new one (page and API), so
its timing does not tell who has an account. Measured with the real Argon2 hasher."""

import statistics
import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.testing import make_user

pytestmark = pytest.mark.django_db

RUNS = 5
FACTOR = 3  # generous: the branches differ by a few queries; before, by one Argon2 hash (17x)
PASSWORD = "some-Long-pass-77"


@pytest.fixture(autouse=True)
def _real_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


def _median_seconds(sign_up, emails) -> float:
    durations = []
    for n, email in enumerate(emails):
        start = time.perf_counter()
        sign_up(f"127.0.11.{n}", email)
        durations.append(time.perf_counter() - start)
    return statistics.median(durations)


def _api(address: str, email: str) -> None:
    answer = APIClient(REMOTE_ADDR=address).post(
        "/api/authenticate/subscribe", {"email": email, "password": PASSWORD}, format="json"
    )
    assert answer.status_code == 201


def _page(address: str, email: str) -> None:
    answer = Client(REMOTE_ADDR=address).post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert answer.status_code == 302


@pytest.mark.parametrize("sign_up", [_api, _page], ids=["api", "page"])
def test_taken_and_new_addresses_take_about_as_long(sign_up, outbox):
    taken = [make_user(f"taken{n}@example.com").email for n in range(RUNS)]
    sign_up("127.0.11.200", "warm-up@example.com")  # first-call costs out of the measure

    new = _median_seconds(sign_up, [f"new{n}@example.com" for n in range(RUNS)])
    existing = _median_seconds(sign_up, taken)

    assert max(new, existing) < FACTOR * min(new, existing), (new, existing)
    assert len(outbox) == 1 + 2 * RUNS  # a mail in each branch

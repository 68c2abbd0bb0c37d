"""GET /api/users costs the same number of queries for 2 users as for 30."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.testing import make_user


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/users").status_code == 200
    return len(captured)


def test_the_user_list_does_not_query_per_user(api_client_for, admin_user):
    client = api_client_for(admin_user)
    make_user("pending@example.com").emailaddress_set.create(email="new@example.com")
    _queries(client)  # the first call also stamps the token's last use
    few = _queries(client)
    for i in range(30):
        make_user(f"user{i}@example.com")

    assert _queries(client) == few
    rows = client.get("/api/users").json()["results"]
    assert {r["email"]: r["email_pending"] for r in rows}[
        "pending@example.com"
    ] == "new@example.com"

"""Every API refusal is a JSON object: {"detail": ...} or {"field": [...]}, never a bare list."""

import pytest


def test_a_null_character_in_a_search_is_a_400_with_a_detail(api_client_for, admin_user):
    """Found by the fuzzer: DRF's search filter refused a NUL with a bare JSON list."""
    response = api_client_for(admin_user).get("/api/users?search=a%00b")
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "Null characters are not allowed."}


def test_a_null_character_in_a_filter_names_the_field(api_client_for, admin_user):
    response = api_client_for(admin_user).get("/api/torrents/?q=a%00b")
    assert response.status_code == 400, response.content
    assert response.json() == {"q": ["Null characters are not allowed."]}


@pytest.mark.parametrize("token", ["-x", " -a"])
def test_a_reset_token_with_an_empty_uid_part_is_a_400(api_client_for, token):
    """Found by the fuzzer: allauth's UserTokenForm gets no uidb36 and raises TypeError (500)."""
    client = api_client_for(None)
    client.raise_request_exception = False
    assert client.get("/api/authenticate/password", {"token": token}).status_code == 400
    response = client.patch(
        "/api/authenticate/password", {"token": token, "password": "x-Long-enough-9"}, format="json"
    )
    assert response.status_code == 400

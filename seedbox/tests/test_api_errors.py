"""Every API refusal is a JSON object: {"detail": ...} or {"field": [...]}, never a bare list."""


def test_a_null_character_in_a_search_is_a_400_with_a_detail(api_client_for, admin_user):
    """Found by the fuzzer: DRF's search filter refused a NUL with a bare JSON list."""
    response = api_client_for(admin_user).get("/api/users?search=a%00b")
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "Null characters are not allowed."}


def test_a_null_character_in_a_filter_names_the_field(api_client_for, admin_user):
    response = api_client_for(admin_user).get("/api/torrents/?q=a%00b")
    assert response.status_code == 400, response.content
    assert response.json() == {"q": ["Null characters are not allowed."]}

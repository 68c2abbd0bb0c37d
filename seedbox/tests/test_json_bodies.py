"""A JSON body that is not an object gets a clear 400 on every JSON endpoint (issue 9, item 11).

DRF's JSONParser hands a view whatever JSON it gets (a list, a string, a number, null), and views
written for an object crashed on it. The site's parser refuses anything but an object.
"""

import io
import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings

from seedbox.parsers import JSONObjectParser
from torrents.models import Node, Ownership, Torrent, TorrentStatus

NOT_OBJECTS = ["[]", '["paused"]', '"paused"', "1", "null", "true"]


def _send(client, method: str, url: str, body: str):
    return getattr(client, method)(url, data=body, content_type="application/json")


def _assert_clear_400(response) -> None:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "object" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_subscribe_refuses_a_body_that_is_not_an_object(api_client_for, body):
    _assert_clear_400(_send(api_client_for(None), "post", "/api/authenticate/subscribe", body))


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_patch_me_refuses_a_body_that_is_not_an_object(api_client_for, user, body):
    client = api_client_for(user)
    _assert_clear_400(_send(client, "patch", "/api/users/me", body))
    user.refresh_from_db()
    assert user.email == "alice@example.com"


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_patch_torrent_refuses_a_body_that_is_not_an_object(api_client_for, user, body):
    node = Node.objects.create(name="idle", rpc_url="scgi:///nonexistent.sock", data_root="/tmp")
    torrent = Torrent.objects.create(
        info_hash="ab" * 20, name="t", size_bytes=1, node=node, status=TorrentStatus.STOPPED
    )
    Ownership.objects.create(torrent=torrent, user=user, charged_bytes=1)
    client = api_client_for(user)
    _assert_clear_400(_send(client, "patch", f"/api/torrents/{torrent.pk}", body))


def test_an_object_still_parses():
    parsed = JSONObjectParser().parse(io.BytesIO(json.dumps({"a": 1}).encode()))
    assert parsed == {"a": 1}


def _views(resolver=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry)
        elif isinstance(entry, URLPattern):
            callback = entry.callback
            yield entry, getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def test_no_api_view_parses_json_with_the_plain_parser():
    """The root of the fix: every DRF view of the site parses JSON with JSONObjectParser."""
    assert JSONParser not in api_settings.DEFAULT_PARSER_CLASSES
    offenders = [
        str(pattern.pattern)
        for pattern, view in _views()
        if view is not None
        for parser in getattr(view, "parser_classes", [])
        if issubclass(parser, JSONParser) and not issubclass(parser, JSONObjectParser)
    ]
    assert offenders == []


def test_adding_with_no_body_at_all_is_a_clear_400(api_client_for, user):
    """Found by the fuzzer: POST /api/torrents/ without a body (no Content-Type) was a 500."""
    response = api_client_for(user).generic("POST", "/api/torrents/")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")


def test_adding_with_json_is_refused_with_415(api_client_for, user):
    response = api_client_for(user).post("/api/torrents/", {"magnets": []}, format="json")
    assert response.status_code == 415

"""Control and invisible format characters are refused in tracker-rule patterns (issue 9,
hardening): a rule an admin cannot read as written ("evil\\u202eorg", "tracker\\x00.org") must not
be stored, through the API or the admin."""

import pytest
from django.core.exceptions import ValidationError

from torrents.models import TrackerRule
from torrents.services.tracker_rules import tracker_rule_clean_pattern

HOSTILE = [
    "tracker.example\x00.org",
    "tracker.exa\nmple.org",
    "tracker.exa\tmple.org",
    "tracker.example.org\x1b[2J",
    "tracker.exam\x7fple.org",
    "tracker.exam\x85ple.org",
    "gro.elpmaxe\u202e.tracker",
    "tracker.exa\u200bmple.org",
    "http://tracker.exa\rmple.org/announce",
]


@pytest.mark.parametrize("pattern", HOSTILE)
def test_the_service_refuses_control_characters(pattern):
    with pytest.raises(ValidationError, match="control"):
        tracker_rule_clean_pattern(pattern)


@pytest.mark.parametrize("pattern", HOSTILE)
def test_the_api_answers_400_and_stores_nothing(api_client_for, admin_user, pattern):
    client = api_client_for(admin_user)
    response = client.post("/api/trackers", {"pattern": pattern, "action": "deny"}, format="json")
    assert response.status_code == 400, response.content
    assert "pattern" in response.json()
    assert not TrackerRule.objects.exists()


def test_a_plain_pattern_still_works(api_client_for, admin_user):
    client = api_client_for(admin_user)
    response = client.post(
        "/api/trackers", {"pattern": " Tracker.Example.org ", "action": "deny"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["pattern"] == "tracker.example.org"

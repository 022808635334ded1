"""Where the description and the server used to disagree (issue 11), both now say
the same: action bodies hold only action, data and command_id; the actions whose
data needs fields refuse data {}; a data that is not an object is refused. Checked
before anything reaches a switch (none is configured here: a valid action is a 503)."""
import pytest


@pytest.fixture
def room(api):
    account = api.root
    reply = api.call("PUT", f"/v2/accounts/{account.account_id}/conferences", {"name": "R"},
                     token=account.token)
    return f"/v2/accounts/{account.account_id}/conferences/{reply.get_json()['data']['id']}"


@pytest.mark.parametrize("tail, body, field", [
    ("", {"action": "lock", "extra": 1}, ""),
    ("", {"data": {"action": "lock"}, "x": 1}, ""),
    ("", {"action": "lock", "data": 5}, "data"),
    ("", {"action": "record", "data": {}}, "data.action"),
    ("/participants", {"action": "relate", "data": {}}, "data.participant_id"),
    ("/participants", {"action": "play", "data": {}}, "data.media_id"),
    ("/participants/3", {"action": "play", "data": {}}, "data.media_id"),
    ("/participants/3", {"action": "play", "data": {"media_id": "\u0015)b"}}, "data.media_id"),
])
def test_action_bodies_the_description_refuses_are_400(api, room, tail, body, field):
    reply = api.call("PUT", room + tail, body=body, token=api.root.token)
    answer = reply.get_json()
    assert reply.status_code == 400 and answer["status"] == "error", answer
    assert field in answer["data"], answer["data"]


def test_a_valid_action_reaches_the_switch_part(api, room):
    assert api.call("PUT", room, body={"action": "lock"}, token=api.root.token).status_code == 503

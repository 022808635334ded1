"""The lifecycle keys of conference documents through the API: validated by the
``conferences`` schema, a bad value a 400 that saves nothing."""
import pytest


@pytest.fixture
def confs(api):
    return f"/v2/accounts/{api.root.account_id}/conferences"


def listed(api, confs):
    return api.call("GET", confs, token=api.root.token).get_json()["data"]


@pytest.mark.parametrize("field, value, keyword", [
    ("conference_type", "bridge", "enum"), ("max_duration_s", 0, "minimum"),
    ("max_duration_s", 604801, "maximum"), ("empty_timeout_s", "10", "type"),
    ("wait_for_moderator_timeout_s", 86401, "maximum"), ("empty_timeout_s", 1.5, "type"),
])
def test_out_of_range_lifecycle_values_are_400s_that_save_nothing(api, confs, field, value,
                                                                    keyword):
    reply = api.call("PUT", confs, {"name": "Bad", field: value}, token=api.root.token)
    assert reply.status_code == 400, reply.get_json()
    assert keyword in reply.get_json()["data"][field]
    assert listed(api, confs) == []


def test_lifecycle_values_are_kept_and_the_type_defaults_to_conference(api, confs):
    plain = api.call("PUT", confs, {"name": "Plain"}, token=api.root.token).get_json()["data"]
    assert plain["conference_type"] == "conference"
    fields = {"name": "Rules", "conference_type": "connect", "max_duration_s": 3600,
              "empty_timeout_s": 60, "wait_for_moderator_timeout_s": 300}
    made = api.call("PUT", confs, fields, token=api.root.token).get_json()["data"]
    got = api.call("GET", f"{confs}/{made['id']}", token=api.root.token).get_json()["data"]
    assert {key: got[key] for key in fields} == fields
    assert got["_read_only"]["status"] == "idle" and got["_read_only"]["end_reason"] is None
    patched = api.call("PATCH", f"{confs}/{made['id']}", {"max_duration_s": -5},
                       token=api.root.token)
    assert patched.status_code == 400
    again = api.call("GET", f"{confs}/{made['id']}", token=api.root.token).get_json()["data"]
    assert again["max_duration_s"] == 3600


def test_delete_without_a_switch_and_a_bad_end_flag(api, confs):
    made = api.call("PUT", confs, {"name": "Gone"}, token=api.root.token).get_json()["data"]
    bad = api.call("DELETE", f"{confs}/{made['id']}", token=api.root.token,
                   query_string={"end": "perhaps"})
    assert bad.status_code == 400 and "end" in bad.get_json()["data"]
    assert api.call("GET", f"{confs}/{made['id']}", token=api.root.token).status_code == 200
    gone = api.call("DELETE", f"{confs}/{made['id']}", token=api.root.token,
                    query_string={"end": "true"})
    assert gone.status_code == 200       # no switch configured: nothing can be running

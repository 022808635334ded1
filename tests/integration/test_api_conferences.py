"""Conferences CRUD as a client written against Kazoo's docs (seed 002) uses it."""
import pytest

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


@pytest.fixture
def confs(api):
    return f"/v2/accounts/{api.root.account_id}/conferences"


def _create(api, confs, **fields):
    reply = api.call("PUT", confs, {"name": "Conf", **fields}, token=api.root.token)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()["data"]


def test_create_list_get_update_patch_delete(api, confs):
    token = api.root.token
    created = _create(api, confs, conference_numbers=["5000"], member={"pins": ["1234"]})
    conf_id = created["id"]
    assert created["member"]["join_muted"] is True  # Kazoo default filled in
    assert not any(key.startswith(("pvt_", "_")) for key in created)

    listed = api.call("GET", confs, token=token).get_json()
    entry = next(item for item in listed["data"] if item["id"] == conf_id)
    assert {"id", "name", "member", "moderator", "conference_numbers", "members", "admins",
            "duration", "is_locked"} <= set(entry)
    assert (entry["members"], entry["admins"], entry["is_locked"]) == (0, 0, False)

    got = api.call("GET", f"{confs}/{conf_id}", token=token).get_json()
    assert got["data"]["name"] == "Conf" and got["revision"].startswith("1-")
    assert got["data"]["_read_only"] == {"members": 0, "ghosts": 0, "moderators": 0, "admins": 0,
                                         "duration": 0, "is_locked": False, "participants": [],
                                         "status": "idle", "started_at": None, "ended_at": None,
                                         "end_reason": None, "recent_participants": [],
                                         "pending_participants": []}

    updated = api.call("POST", f"{confs}/{conf_id}", {"name": "Renamed"}, token=token)
    assert updated.status_code == 200
    assert updated.get_json()["data"]["name"] == "Renamed"
    assert "conference_numbers" not in updated.get_json()["data"] or \
        updated.get_json()["data"]["conference_numbers"] == []  # POST replaces

    patched = api.call("PATCH", f"{confs}/{conf_id}", {"play_name": True}, token=token)
    assert patched.status_code == 200
    assert patched.get_json()["data"]["name"] == "Renamed"
    assert patched.get_json()["data"]["play_name"] is True

    deleted = api.call("DELETE", f"{confs}/{conf_id}", token=token)
    assert deleted.status_code == 200
    missing = api.call("GET", f"{confs}/{conf_id}", token=token)
    assert missing.status_code == 404 and missing.get_json()["error"] == "404"
    assert all(item["id"] != conf_id for item in api.call("GET", confs, token=token)
               .get_json()["data"])


def test_kazoo_shaped_validation_errors(api, confs):
    reply = api.call("PUT", confs, {"name": "x" * 129, "conference_numbers": ["12a"],
                                    "owner_id": "a" * 31}, token=api.root.token)
    body = reply.get_json()
    assert reply.status_code == 400 and body["message"] == "validation error"
    assert body["data"]["name"]["maxLength"] == {
        "message": "String must not be more than 128 characters", "target": 128,
        "value": "x" * 129}
    assert body["data"]["owner_id"]["minLength"]["target"] == 32
    assert any(path.startswith("conference_numbers") for path in body["data"])
    assert body["error_id"] == "validation_error" and body["error"] == "400"


def test_numbers_in_use_by_another_conference_of_the_account(api, confs):
    first = _create(api, confs, conference_numbers=["7000"], member={"numbers": ["7001"]})
    reply = api.call("PUT", confs, {"name": "B", "moderator": {"numbers": ["7001"]}},
                     token=api.root.token)
    body = reply.get_json()
    assert reply.status_code == 400 and body["message"] == "validation error"
    assert body["data"]["moderator.numbers"]["unique"]["message"] == "Numbers already in use"
    # the conference may keep its own numbers on update
    same = api.call("POST", f"{confs}/{first['id']}",
                    {"name": "A", "conference_numbers": ["7000"]}, token=api.root.token)
    assert same.status_code == 200
    # a dialled number is unique system-wide: another account cannot take it
    # (tests/integration/test_conference_numbers_index.py covers the cross-account cases)
    sibling = api.create_account(api.root, "Numbers Co")
    other = api.call("PUT", f"/v2/accounts/{sibling.account_id}/conferences",
                     {"name": "C", "conference_numbers": ["7000"]}, token=sibling.token)
    assert other.status_code == 400
    assert other.get_json()["data"]["conference_numbers"]["unique"]["message"] \
        == "Numbers already in use"


def test_stale_revision_is_409(api, confs):
    conf = _create(api, confs)
    path = f"{confs}/{conf['id']}"
    rev1 = api.call("GET", path, token=api.root.token).get_json()["revision"]
    assert api.call("PATCH", path, {"name": "v2"}, token=api.root.token).status_code == 200
    stale = api.call("POST", path, {"name": "v3", "_rev": rev1}, token=api.root.token)
    assert stale.status_code == 409 and stale.get_json()["error_id"] == "conflict"
    by_header = api.call("PATCH", path, {"name": "v3"}, token=api.root.token,
                         headers={"If-Match": f'"{rev1}"'})
    assert by_header.status_code == 409
    current = api.call("GET", path, token=api.root.token).get_json()["revision"]
    fresh = api.call("PATCH", path, {"name": "v3"}, token=api.root.token,
                     headers={"If-Match": current})
    assert fresh.status_code == 200
    assert api.call("DELETE", path, token=api.root.token,
                    headers={"If-Match": current}).status_code == 409


def test_pagination_with_start_key(api, confs):
    ids = sorted(_create(api, confs, name=f"c{n}")["id"] for n in range(7))
    seen, start_key = [], None
    while True:
        query = {"page_size": 3, **({"start_key": start_key} if start_key else {})}
        body = api.call("GET", confs, token=api.root.token, query_string=query).get_json()
        assert body["page_size"] == len(body["data"]) <= 3
        seen += [item["id"] for item in body["data"]]
        start_key = body.get("next_start_key")
        if not start_key:
            break
        assert start_key == body["data"][-1]["id"] or start_key > body["data"][-1]["id"]
    assert seen == ids


def test_filters_on_lists(api, confs):
    _create(api, confs, name="Alpha", play_name=True, conference_numbers=["8100"])
    _create(api, confs, name="Beta")
    names = lambda q: sorted(i["name"] for i in api.call(  # noqa: E731
        "GET", confs, token=api.root.token, query_string=q).get_json()["data"])
    assert names({"filter_name": "Alpha"}) == ["Alpha"]
    assert names({"filter_not_name": "Alpha"}) == ["Beta"]
    assert names({"filter_play_name": "true"}) == ["Alpha"]
    assert names({"filter_conference_numbers": "8100"}) == ["Alpha"]
    assert names({"has_value": "conference_numbers"}) == ["Alpha"]
    assert names({"created_from": "0"}) == ["Alpha", "Beta"]
    assert names({"created_to": "0"}) == []


def test_actions_without_switch_and_with_a_bad_action(api, confs):
    conf = _create(api, confs)
    path = f"{confs}/{conf['id']}"
    bad = api.call("PUT", path, body={"action": "explode", "data": {}}, token=api.root.token)
    assert bad.status_code == 400
    assert bad.get_json()["data"]["action"]["enum"]["target"] == \
        ["lock", "unlock", "dial", "play", "record", "stop_play", "pause_play", "resume_play",
         "set_sounds", "end", "transcribe"]
    lock = api.call("PUT", path, body={"action": "lock", "data": {}}, token=api.root.token)
    assert lock.status_code == 503 and lock.get_json()["error_id"] == "switch_unavailable"
    for sub in ("participants", "participants/3", "recordings"):
        assert api.call("GET", f"{path}/{sub}", token=api.root.token).status_code == 503


def test_v1_alias_and_trailing_slash(api):
    path = f"/v1/accounts/{api.root.account_id}/conferences/"
    reply = api.call("GET", path, token=api.root.token)
    assert reply.status_code == 200 and reply.get_json()["status"] == "success"


def test_write_that_loses_a_race_is_409(api, confs, monkeypatch):
    conf = _create(api, confs)
    path = f"{confs}/{conf['id']}"
    real_get = api.store.get
    raced = []

    def get_then_someone_else_writes(db, doc_id):
        doc = real_get(db, doc_id)
        if doc_id == conf["id"] and not raced:
            raced.append(api.store.save(db, {**doc, "name": "other writer"}))
        return doc

    monkeypatch.setattr(api.store, "get", get_then_someone_else_writes)
    reply = api.call("PATCH", path, {"name": "mine"}, token=api.root.token)
    assert raced and reply.status_code == 409
    monkeypatch.undo()
    assert api.call("GET", path, token=api.root.token).get_json()["data"]["name"] == \
        "other writer"


def test_editing_the_stored_schema_changes_validation_without_restart(api, confs):
    from kzcore.naming import SCHEMAS_DB
    assert api.call("PUT", confs, {"name": "twelve chars"}, token=api.root.token).status_code \
        == 201
    schema = api.store.get(SCHEMAS_DB, "conferences")
    schema["properties"]["name"]["maxLength"] = 10
    api.store.save(SCHEMAS_DB, schema)
    reply = api.call("PUT", confs, {"name": "twelve chars"}, token=api.root.token)
    assert reply.status_code == 400
    assert reply.get_json()["data"]["name"]["maxLength"]["target"] == 10


class RecordingLive:
    """Stands in for the live service at the realtime seam; records what it was asked."""

    def __init__(self, states):
        self.states, self.asked = states, []

    def conference_state(self, account_id, conference_id):
        self.asked.append(("one", account_id, conference_id))
        return self.states.get(conference_id)

    def account_states(self, account_id):
        self.asked.append(("all", account_id))
        return dict(self.states)


def test_read_only_counts_come_from_live_one_question_per_list(app_factory):
    live = RecordingLive({})
    api = app_factory(live=live)
    confs = f"/v2/accounts/{api.root.account_id}/conferences"
    running = _create(api, confs, name="running")["id"]
    idle = _create(api, confs, name="idle")["id"]
    participant = {"participant_id": 7, "is_moderator": True}
    live.states[running] = {"members": 3, "moderators": 1, "duration": 42, "is_locked": True,
                            "participants": [participant]}
    listed = {item["id"]: item for item in api.call("GET", confs, token=api.root.token)
              .get_json()["data"]}
    assert (listed[running]["members"], listed[running]["admins"],
            listed[running]["is_locked"]) == (3, 1, True)
    assert listed[idle]["members"] == 0 and listed[idle]["is_locked"] is False
    assert live.asked == [("all", api.root.account_id)]
    one = api.call("GET", f"{confs}/{running}", token=api.root.token).get_json()["data"]
    assert one["_read_only"]["participants"] == [participant]
    assert one["_read_only"]["moderators"] == one["_read_only"]["admins"] == 1

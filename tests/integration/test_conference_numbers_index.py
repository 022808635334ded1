"""Saving a conference through the API updates the dialled-number index at once,
so the call-in service finds a new number without waiting for a rescan."""
from callin.directory import ConferenceDirectory
from kzcore import conference_numbers


def test_numbers_follow_create_update_and_delete(api):
    root = api.root
    base = f"/v2/accounts/{root.account_id}/conferences"
    created = api.call("PUT", base, {"name": "Indexed", "conference_numbers": ["7100"],
                                     "moderator": {"numbers": ["7101"]}}, token=root.token)
    assert created.status_code == 201, created.get_json()
    conference_id = created.get_json()["data"]["id"]
    for number in ("7100", "7101"):
        entry = conference_numbers.lookup(api.store, number)
        assert (entry["account_id"], entry["conference_id"]) == (root.account_id, conference_id)

    # the directory must not need a rescan: one that may never rescan finds it
    directory = ConferenceDirectory(api.store, rescan_interval=10 ** 9)
    directory._last_scan = 0.0
    directory._clock = lambda: 1.0
    conference, role = directory.find("7101")
    assert (conference.conference_id, role) == (conference_id, "moderator")

    patched = api.call("PATCH", f"{base}/{conference_id}",
                       {"conference_numbers": ["7200"], "moderator": {"numbers": []}},
                       token=root.token)
    assert patched.status_code == 200, patched.get_json()
    assert conference_numbers.lookup(api.store, "7100") is None
    assert conference_numbers.lookup(api.store, "7101") is None
    assert conference_numbers.lookup(api.store, "7200")["conference_id"] == conference_id

    assert api.call("DELETE", f"{base}/{conference_id}", token=root.token).status_code == 200
    assert conference_numbers.lookup(api.store, "7200") is None


def test_a_refused_document_leaves_the_index_alone(api):
    root = api.root
    base = f"/v2/accounts/{root.account_id}/conferences"
    reply = api.call("PUT", base, {"name": "x" * 129, "conference_numbers": ["7300"]},
                     token=root.token)
    assert reply.status_code == 400
    assert conference_numbers.lookup(api.store, "7300") is None

"""Saving a conference through the API updates the dialled-number index at once,
so the call-in service finds a new number without waiting for a rescan."""
from callin.directory import ConferenceDirectory
from kzcore import conference_numbers, naming
from kzcore.errors import Conflict


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


# --- one owner per number, system-wide ---------------------------------------------------

def _routed_to(api, number):
    directory = ConferenceDirectory(api.store, rescan_interval=0.0)
    found = directory.find(number)
    return (found[0].account_id, found[0].conference_id) if found else None


def _create(api, account, **fields):
    reply = api.call("PUT", f"/v2/accounts/{account.account_id}/conferences",
                     {"name": "Room", **fields}, token=account.token)
    return reply


def test_another_account_cannot_take_a_number(api):
    alpha, beta = api.create_sibling_pair()
    mine = _create(api, alpha, conference_numbers=["7777"], member={"numbers": ["7778"]})
    assert mine.status_code == 201, mine.get_json()
    alpha_conf = mine.get_json()["data"]["id"]
    theirs = _create(api, beta, conference_numbers=["5000"], moderator={"numbers": ["7778"]},
                     member={"numbers": ["7777"]})
    body = theirs.get_json()
    assert theirs.status_code == 400 and body["message"] == "validation error", body
    assert body["data"]["member.numbers"]["unique"]["message"] == "Numbers already in use"
    assert body["data"]["moderator.numbers"]["unique"]["value"] == ["7778"]
    assert "conference_numbers" not in body["data"]
    # nothing of the refused request stays behind, A is still routed
    assert conference_numbers.lookup(api.store, "5000") is None
    assert _routed_to(api, "7777") == (alpha.account_id, alpha_conf)
    assert _routed_to(api, "7778") == (alpha.account_id, alpha_conf)
    # nor through an update of one of B's own conferences
    own = _create(api, beta, conference_numbers=["5001"]).get_json()["data"]["id"]
    base = f"/v2/accounts/{beta.account_id}/conferences/{own}"
    patched = api.call("PATCH", base, {"conference_numbers": ["5001", "7777"]}, token=beta.token)
    assert patched.status_code == 400, patched.get_json()
    assert _routed_to(api, "7777") == (alpha.account_id, alpha_conf)
    # B deleting its own conference never affects A's numbers
    assert api.call("DELETE", base, token=beta.token).status_code == 200
    assert _routed_to(api, "7777") == (alpha.account_id, alpha_conf)
    assert conference_numbers.lookup(api.store, "5001") is None


def test_a_number_freed_by_one_account_can_be_taken_by_another(api):
    alpha, beta = api.create_sibling_pair()
    alpha_conf = _create(api, alpha, conference_numbers=["7901", "7902"]).get_json()["data"]["id"]
    path = f"/v2/accounts/{alpha.account_id}/conferences/{alpha_conf}"
    assert api.call("PATCH", path, {"conference_numbers": ["7902"]},
                    token=alpha.token).status_code == 200
    taken = _create(api, beta, conference_numbers=["7901"])
    assert taken.status_code == 201, taken.get_json()
    assert _routed_to(api, "7901") == (beta.account_id, taken.get_json()["data"]["id"])
    assert api.call("DELETE", path, token=alpha.token).status_code == 200
    second = _create(api, beta, conference_numbers=["7902"])
    assert second.status_code == 201, second.get_json()
    assert _routed_to(api, "7902") == (beta.account_id, second.get_json()["data"]["id"])


def test_a_stale_entry_of_another_conference_may_be_taken_over(api):
    alpha, beta = api.create_sibling_pair()
    alpha_conf = _create(api, alpha, conference_numbers=["7950"]).get_json()["data"]["id"]
    # A's document stops listing the number behind the API's back: the entry is stale
    db = naming.account_db(alpha.account_id)
    api.store.save(db, dict(api.store.get(db, alpha_conf), conference_numbers=[]))
    taken = _create(api, beta, conference_numbers=["7950"])
    assert taken.status_code == 201, taken.get_json()
    assert _routed_to(api, "7950") == (beta.account_id, taken.get_json()["data"]["id"])


def test_a_failed_save_gives_its_claimed_numbers_back(api, monkeypatch):
    alpha, _ = api.create_sibling_pair()
    real_save = api.store.save

    def failing_save(db, doc):
        if db.startswith("account/") and doc.get("pvt_type") == "conference":
            raise Conflict("racing writer")
        return real_save(db, doc)
    monkeypatch.setattr(api.store, "save", failing_save)
    reply = _create(api, alpha, conference_numbers=["7990"])
    assert reply.status_code == 409, reply.get_json()
    monkeypatch.undo()
    assert conference_numbers.lookup(api.store, "7990") is None

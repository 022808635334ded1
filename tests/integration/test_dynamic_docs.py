"""Dynamic conference documents on the store, through the conference service:
each dial stamps them, a dial that meets a removal saves the document again, a
stored conference is never turned dynamic, and lists show a dynamic conference
only while its room runs."""
from crossbar.conferences import dynamic_docs
from crossbar.conferences.service import ConferencesService
from kzcore import conference_numbers
from kzcore.schemas.registry import SchemaRegistry
from kzcore.store.embedded import EmbeddedStore
from tests.support.api import build_app


def service_and_account():
    harness = build_app(store=EmbeddedStore(":memory:"))
    account = harness.create_account(harness.root, "Dyn Co")
    return ConferencesService(harness.store, SchemaRegistry(harness.store)), account.account_id


def test_each_dial_stamps_the_document_and_a_removed_one_is_saved_again():
    service, account_id = service_and_account()
    fields = {"name": "Ad hoc", "member": {"numbers": ["83001"]}}
    assert dynamic_docs.record_dial(service, account_id, "adhoc-1", fields, ["c1"], 1000.0)
    doc = service.load(account_id, "adhoc-1")
    assert (doc["pvt_dynamic"], doc["pvt_dialled_at"], doc["pvt_dial_calls"]) == (True, 1000.0,
                                                                                  ["c1"])
    assert not dynamic_docs.record_dial(service, account_id, "adhoc-1", fields, ["c2"], 1010.0)
    doc = service.load(account_id, "adhoc-1")
    assert (doc["pvt_dialled_at"], doc["pvt_dial_calls"]) == (1010.0, ["c1", "c2"])
    service.delete(account_id, "adhoc-1")            # a removal got there first
    assert conference_numbers.lookup(service.store, "83001") is None
    assert dynamic_docs.record_dial(service, account_id, "adhoc-1",
                                    dynamic_docs.public_fields(doc), ["c3"], 1020.0)
    again = service.load(account_id, "adhoc-1")
    assert again["name"] == "Ad hoc" and again["pvt_dial_calls"] == ["c3"]
    assert conference_numbers.lookup(service.store, "83001")["conference_id"] == "adhoc-1"


def test_a_stored_conference_is_not_made_dynamic():
    service, account_id = service_and_account()
    stored = service.create(account_id, {"name": "Stored"})
    assert not dynamic_docs.record_dial(service, account_id, stored["_id"], {}, ["c1"], 5.0)
    doc = service.load(account_id, stored["_id"])
    assert "pvt_dynamic" not in doc and "pvt_dial_calls" not in doc
    assert doc["_rev"] == stored["_rev"]


def test_grace_and_listing_rules():
    doc = {"_id": "d", "pvt_dynamic": True, "pvt_dialled_at": 100.0}
    assert dynamic_docs.grace_left(doc, 101.0, 5.0) == 4.0
    assert dynamic_docs.grace_left(doc, 106.0, 5.0) == 0.0
    legacy = {"_id": "d", "pvt_dynamic": True, "pvt_modified": 63000000000}  # no stamp
    assert dynamic_docs.grace_left(legacy, 63000000000 - 62167219200 + 2.0, 5.0) == 3.0
    assert dynamic_docs.listed(doc, {"d": {}}, False)
    assert not dynamic_docs.listed(doc, {}, False)
    assert dynamic_docs.listed(doc, {}, True)         # a node did not answer: cannot tell
    assert dynamic_docs.listed({"_id": "s"}, {}, False)
    calls = dynamic_docs.dial_stamp([f"n{i}" for i in range(60)], ["old"], 1.0)["pvt_dial_calls"]
    assert len(calls) == dynamic_docs.MAX_CALLS and calls[-1] == "n59"

"""Pure parts of crossbar: envelopes, Kazoo list filters and paging, document
shaping, conference numbers, action bodies, credentials."""
import hashlib

import pytest

from crossbar import documents, envelope, listing
from crossbar.auth.credentials import md5_credentials, normalize_account_name, sha1_credentials
from crossbar.conferences import numbers
from crossbar.context import split_action
from kzcore.errors import ValidationFailed

META = {"request_id": "req-1", "node": "crossbar@test", "version": "9.9", "auth_token": "tok"}


def test_success_envelope_has_kazoo_fields_and_list_paging():
    body = envelope.success([1, 2], meta=META, page={"page_size": 2, "start_key": None,
                                                     "next_start_key": "k"})
    assert body["status"] == "success" and body["data"] == [1, 2]
    assert {k: body[k] for k in ("auth_token", "request_id", "node", "version")} == \
        {"auth_token": "tok", "request_id": "req-1", "node": "crossbar@test", "version": "9.9"}
    assert body["page_size"] == 2 and body["next_start_key"] == "k" and "start_key" not in body
    assert body["timestamp"].endswith("Z") and body["revision"]


def test_error_envelope_carries_code_as_string_and_stable_id():
    body = envelope.error(404, "bad identifier", "not_found", meta=META, data={"cause": "x"})
    assert body["error"] == "404" and body["status"] == "error"
    assert body["error_id"] == "not_found" and body["data"] == {"cause": "x"}
    assert envelope.error(500, "boom", "internal_error", meta=META)["data"] == {"message": "boom"}


def test_public_view_hides_private_members_and_exposes_id():
    doc = {"_id": "abc", "_rev": "1-x", "_attachments": {}, "pvt_type": "user", "name": "n"}
    assert documents.public_view(doc) == {"id": "abc", "name": "n"}


def test_client_data_drops_private_fields_and_reports_claimed_revision():
    clean, rev = documents.client_data({"id": "x", "_rev": "2-a", "pvt_tree": [], "name": "n"})
    assert clean == {"name": "n"} and rev == "2-a"
    assert documents.client_data({"rev": "3-b"})[1] == "3-b"


def test_deep_merge_merges_objects_replaces_values_and_null_removes():
    base = {"member": {"pins": ["1"], "join_muted": True}, "name": "a", "gone": 1}
    merged = documents.deep_merge(base, {"member": {"join_muted": False}, "gone": None})
    assert merged == {"member": {"pins": ["1"], "join_muted": False}, "name": "a"}
    assert base["member"]["join_muted"] is True


DOCS = [
    {"_id": "a", "name": "Alpha", "enabled": True, "member": {"numbers": ["100"]},
     "pvt_created": 100, "pvt_modified": 150, "pvt_secret": "s"},
    {"_id": "b", "name": "Beta", "enabled": False, "owner_id": "", "pvt_created": 200,
     "pvt_modified": 250},
]


@pytest.mark.parametrize("query,expected", [
    ([("filter_name", "Alpha")], ["a"]),
    ([("filter_not_name", "Alpha")], ["b"]),
    ([("filter_enabled", "false")], ["b"]),
    ([("filter_member.numbers", "100")], ["a"]),
    ([("filter_name", '["Beta","Gamma"]')], ["b"]),
    ([("has_key", "owner_id")], ["b"]),
    ([("key_missing", "owner_id")], ["a"]),
    ([("has_value", "owner_id")], []),
    ([("created_from", "150")], ["b"]),
    ([("created_to", "150")], ["a"]),
    ([("modified_from", "150"), ("modified_to", "200")], ["a"]),
    ([("filter_pvt_secret", "s")], []),
])
def test_kazoo_filters(query, expected):
    assert [d["_id"] for d in DOCS if listing.doc_passes(d, query)] == expected


def test_filters_from_query_keeps_only_filter_keys():
    args = {"filter_name": "x", "page_size": "2", "has_key": "k", "random": "1"}
    assert sorted(listing.filters_from(args)) == [("filter_name", "x"), ("has_key", "k")]


def test_page_request_defaults_and_rejects_bad_sizes():
    assert listing.page_request({}) == (listing.DEFAULT_PAGE_SIZE, None)
    assert listing.page_request({"page_size": "5", "start_key": "k"}) == (5, "k")
    assert listing.page_request({"paginate": "false"}) == (None, None)
    for bad in ("0", "-1", "x", "100000"):
        with pytest.raises(ValidationFailed) as caught:
            listing.page_request({"page_size": bad})
        assert "page_size" in caught.value.data


def _fetcher(ids):
    docs = [{"_id": i, "keep": int(i) % 2 == 0} for i in ids]

    def fetch(start_key, limit):
        rows = [d for d in docs if start_key is None or d["_id"] >= start_key]
        return rows[:limit]
    return fetch


def test_collect_page_walks_batches_and_returns_next_start_key():
    ids = [f"{n:03d}" for n in range(50)]
    fetch = _fetcher(ids)
    keep = lambda d: d["keep"]  # noqa: E731
    page, next_key = listing.collect_page(fetch, keep, 4, None, batch=3)
    assert [d["_id"] for d in page] == ["000", "002", "004", "006"] and next_key == "008"
    page, next_key = listing.collect_page(fetch, keep, 100, next_key, batch=7)
    assert [d["_id"] for d in page] == [f"{n:03d}" for n in range(8, 50, 2)] and next_key is None
    page, next_key = listing.collect_page(fetch, keep, 2, None, batch=100)
    assert [d["_id"] for d in page] == ["000", "002"] and next_key == "004"
    everything, next_key = listing.collect_page(fetch, keep, None, None, batch=5)
    assert len(everything) == 25 and next_key is None


def test_number_collisions_are_reported_per_field():
    doc = {"conference_numbers": ["1", "2"], "member": {"numbers": ["3"]},
           "moderator": {"numbers": ["9"]}}
    others = [{"member": {"numbers": ["2"]}}, {"conference_numbers": ["3"]}]
    clashes = numbers.collisions(doc, others)
    assert clashes == {"conference_numbers": ["2"], "member.numbers": ["3"]}
    error = numbers.numbers_in_use_error(clashes)
    assert error["member.numbers"]["unique"]["message"] == "Numbers already in use"
    assert numbers.collisions(doc, [{"conference_numbers": ["7"]}]) == {}


@pytest.mark.parametrize("body,expected", [
    ({"action": "lock", "data": {}}, ("lock", {})),
    ({"action": "record", "data": {"action": "start"}}, ("record", {"action": "start"})),
    ({"data": {"action": "mute"}}, ("mute", {})),
    ({"data": {"action": "relate", "data": {"participant_id": 1}}},
     ("relate", {"participant_id": 1})),
    ({"data": {}}, (None, {})),
])
def test_split_action_accepts_both_kazoo_shapes(body, expected):
    assert split_action(body) == expected


def test_credentials_match_kazoo_hashes():
    assert md5_credentials("Admin", "pw") == hashlib.md5(b"admin:pw").hexdigest()
    assert sha1_credentials("admin", "pw") == hashlib.sha1(b"admin:pw").hexdigest()
    assert normalize_account_name("My Account-1!") == "myaccount1"


def test_error_data_keeps_validation_paths_and_adds_message_elsewhere():
    from crossbar.errors import error_data, status_for
    from kzcore import errors as kz
    invalid = kz.ValidationFailed(data={"name": {"maxLength": {"message": "too long"}}})
    assert error_data(invalid) == {"name": {"maxLength": {"message": "too long"}}}
    missing = kz.NotFound("bad identifier", {"cause": "abc"})
    assert error_data(missing) == {"message": "bad identifier", "cause": "abc"}
    assert [status_for(e) for e in (invalid, missing, kz.NotRunning(), kz.SwitchRefused(),
                                    kz.SwitchUnavailable(), kz.StoreUnavailable(),
                                    kz.InvalidCommandArgument(), kz.Conflict(),
                                    kz.Unauthorized(), kz.Forbidden(), kz.BadRequest(),
                                    kz.KzError())] == \
        [400, 404, 409, 422, 503, 503, 400, 409, 401, 403, 400, 500]

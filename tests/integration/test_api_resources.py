"""Accounts, users, devices and media through the API."""
import hashlib
import io

import pytest

from kzcore.naming import ACCOUNTS_DB, account_db

pytestmark = pytest.mark.both_stores   # embedded and CouchDB-API (tests.support.api)


def test_child_accounts_children_and_descendants(api):
    child = api.create_account(api.root, "Child One")
    grandchild = api.create_account(child, "Grand Child")
    root_id = api.root.account_id
    children = api.call("GET", f"/v2/accounts/{root_id}/children", token=api.root.token)
    assert [c["id"] for c in children.get_json()["data"]] == [child.account_id]
    descendants = api.call("GET", f"/v2/accounts/{root_id}/descendants", token=api.root.token)
    assert sorted(d["id"] for d in descendants.get_json()["data"]) == \
        sorted([child.account_id, grandchild.account_id])
    stored = api.store.get(ACCOUNTS_DB, grandchild.account_id)
    assert stored["pvt_tree"] == [root_id, child.account_id]
    assert api.store.db_exists(account_db(grandchild.account_id))
    # the parent manages its descendants; the grandchild cannot climb up
    assert api.call("GET", f"/v2/accounts/{grandchild.account_id}",
                    token=api.root.token).status_code == 200
    assert api.call("GET", f"/v2/accounts/{child.account_id}",
                    token=grandchild.token).status_code == 403


def test_account_update_patch_and_private_fields_protected(api):
    child = api.create_account(api.root, "Patch Me")
    path = f"/v2/accounts/{child.account_id}"
    patched = api.call("PATCH", path, {"language": "fr-fr", "pvt_tree": [],
                                       "pvt_superduper_admin": True}, token=child.token)
    assert patched.status_code == 200
    assert patched.get_json()["data"]["language"] == "fr-fr"
    stored = api.store.get(ACCOUNTS_DB, child.account_id)
    assert stored["pvt_tree"] == [api.root.account_id]
    assert stored["pvt_superduper_admin"] is False
    updated = api.call("POST", path, {"name": "Patched Co"}, token=child.token)
    assert updated.status_code == 200 and updated.get_json()["data"]["name"] == "Patched Co"
    assert "pvt_api_key" not in updated.get_json()["data"]


def test_duplicate_account_name_is_rejected(api):
    api.create_account(api.root, "Same Name")
    reply = api.call("PUT", f"/v2/accounts/{api.root.account_id}", {"name": "same name"},
                     token=api.root.token)
    assert reply.status_code == 400 and "unique" in reply.get_json()["data"]["name"]


def test_users_crud_password_hashed_and_usable_for_user_auth(api):
    users = f"/v2/accounts/{api.root.account_id}/users"
    reply = api.call("PUT", users, {"username": "Alice", "password": "wonder",
                                    "first_name": "Alice", "last_name": "L"},
                     token=api.root.token)
    assert reply.status_code == 201, reply.get_json()
    user = reply.get_json()["data"]
    assert user["username"] == "alice" and "password" not in user
    assert not any(key.startswith("pvt_") for key in user)
    stored = api.store.get(account_db(api.root.account_id), user["id"])
    assert "password" not in stored
    assert stored["pvt_md5_auth"] == hashlib.md5(b"alice:wonder").hexdigest()
    assert stored["pvt_sha1_auth"] == hashlib.sha1(b"alice:wonder").hexdigest()
    login = api.call("PUT", "/v2/user_auth", {
        "credentials": hashlib.md5(b"alice:wonder").hexdigest(),
        "account_name": api.root.name})
    assert login.status_code == 201 and login.get_json()["data"]["owner_id"] == user["id"]
    patched = api.call("PATCH", f"{users}/{user['id']}", {"email": "a@example.com"},
                       token=api.root.token)
    assert patched.status_code == 200
    again = api.store.get(account_db(api.root.account_id), user["id"])
    assert again["pvt_md5_auth"] == stored["pvt_md5_auth"]
    duplicate = api.call("PUT", users, {"username": "alice", "first_name": "A",
                                        "last_name": "B"}, token=api.root.token)
    assert duplicate.status_code == 400 and "unique" in duplicate.get_json()["data"]["username"]
    missing = api.call("PUT", users, {"username": "bob"}, token=api.root.token)
    assert missing.status_code == 400 and "first_name" in missing.get_json()["data"]
    assert api.call("DELETE", f"{users}/{user['id']}", token=api.root.token).status_code == 200
    assert api.call("GET", f"{users}/{user['id']}", token=api.root.token).status_code == 404


def test_devices_crud_with_owner_and_sip(api):
    base = f"/v2/accounts/{api.root.account_id}"
    owner = api.call("GET", f"{base}/users", token=api.root.token).get_json()["data"][0]["id"]
    device = {"name": "Desk phone", "device_type": "sip_device", "owner_id": owner,
              "enabled": True, "sip": {"username": "desk1", "password": "pw1-secret"}}
    reply = api.call("PUT", f"{base}/devices", device, token=api.root.token)
    assert reply.status_code == 201, reply.get_json()
    created = reply.get_json()["data"]
    assert created["sip"]["username"] == "desk1"
    listed = api.call("GET", f"{base}/devices", token=api.root.token).get_json()["data"]
    assert listed[0]["username"] == "desk1" and listed[0]["owner_id"] == owner
    bad_owner = api.call("PATCH", f"{base}/devices/{created['id']}", {"owner_id": "f" * 32},
                         token=api.root.token)
    assert bad_owner.status_code == 400 and "owner_id" in bad_owner.get_json()["data"]
    assert api.call("GET", f"{base}/devices", token=api.root.token,
                    query_string={"filter_device_type": "softphone"}).get_json()["data"] == []


def test_media_raw_round_trip_is_byte_exact_and_survives_updates(api):
    base = f"/v2/accounts/{api.root.account_id}/media"
    media = api.call("PUT", base, {"name": "hold music"}, token=api.root.token).get_json()["data"]
    audio = bytes(range(256)) * 300 + b"RIFF\x00\r\n"
    upload = api.client.put(f"{base}/{media['id']}/raw", data=audio, content_type="audio/wav",
                            headers={"X-Auth-Token": api.root.token})
    assert upload.status_code == 200, upload.get_json()
    assert upload.get_json()["data"]["content_length"] == len(audio)
    # an update that does not mention attachments must keep the audio
    assert api.call("PATCH", f"{base}/{media['id']}", {"description": "loop"},
                    token=api.root.token).status_code == 200
    download = api.client.get(f"{base}/{media['id']}/raw",
                              headers={"X-Auth-Token": api.root.token})
    assert download.status_code == 200 and download.mimetype == "audio/wav"
    assert download.get_data() == audio
    multipart = api.client.post(f"{base}/{media['id']}/raw", headers={
        "X-Auth-Token": api.root.token}, content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"ID3mp3data"), "x.mp3", "audio/mpeg")})
    assert multipart.status_code == 200, multipart.get_json()
    again = api.client.get(f"{base}/{media['id']}/raw", headers={"X-Auth-Token": api.root.token})
    assert again.get_data() == b"ID3mp3data" and again.mimetype == "audio/mpeg"


def test_media_upload_rejects_non_audio_and_missing_audio_is_404(api):
    base = f"/v2/accounts/{api.root.account_id}/media"
    media = api.call("PUT", base, {"name": "empty"}, token=api.root.token).get_json()["data"]
    assert api.client.get(f"{base}/{media['id']}/raw",
                          headers={"X-Auth-Token": api.root.token}).status_code == 404
    wrong = api.client.put(f"{base}/{media['id']}/raw", data=b"<html>", content_type="text/html",
                           headers={"X-Auth-Token": api.root.token})
    assert wrong.status_code == 400 and wrong.get_json()["status"] == "error"


def test_delete_account_rules(api):
    child = api.create_account(api.root, "Doomed Parent")
    grandchild = api.create_account(child, "Doomed Child")
    assert api.call("DELETE", f"/v2/accounts/{child.account_id}",
                    token=child.token).status_code == 403  # not itself
    refused = api.call("DELETE", f"/v2/accounts/{child.account_id}", token=api.root.token)
    assert refused.status_code == 400 and "descendants" in refused.get_json()["message"]
    assert api.call("DELETE", f"/v2/accounts/{grandchild.account_id}",
                    token=child.token).status_code == 200
    assert not api.store.db_exists(account_db(grandchild.account_id))
    assert api.call("GET", f"/v2/accounts/{grandchild.account_id}",
                    token=api.root.token).status_code in (403, 404)
    assert api.call("DELETE", f"/v2/accounts/{child.account_id}",
                    token=api.root.token).status_code == 200
    # a deleted account's own token is revoked (kzcore.principals)
    assert api.call("GET", f"/v2/accounts/{child.account_id}/children",
                    token=child.token).status_code == 401


# --- PUT /v2/accounts: a top-level account, superduper admins only --------------------------

def _account_ids(store):
    return {doc["_id"] for doc in store.all_docs(ACCOUNTS_DB) if doc.get("pvt_type") == "account"}


def test_superduper_admin_creates_a_top_level_account(api):
    root_id = api.root.account_id
    reply = api.call("PUT", "/v2/accounts", {"name": "Top Tenant", "realm": "Top.Example.Com"},
                     token=api.root.token)
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    created = body["data"]
    assert body["status"] == "success" and body["revision"]
    assert created["name"] == "Top Tenant" and created["realm"] == "top.example.com"
    assert not any(key.startswith("pvt_") for key in created)
    stored = api.store.get(ACCOUNTS_DB, created["id"])
    # pvt_tree [] is the bootstrapped master's alone: top level is directly under it
    assert api.store.get(ACCOUNTS_DB, root_id)["pvt_tree"] == []
    assert stored["pvt_tree"] == [root_id]
    assert stored["pvt_superduper_admin"] is False and len(stored["pvt_api_key"]) == 64
    assert api.store.db_exists(account_db(created["id"]))
    # the creator manages it; the new account reaches itself but not the master
    children = api.call("GET", f"/v2/accounts/{root_id}/children", token=api.root.token)
    assert created["id"] in [c["id"] for c in children.get_json()["data"]]
    key = api.call("GET", f"/v2/accounts/{created['id']}/api_key",
                   token=api.root.token).get_json()["data"]["api_key"]
    own_token = api.api_auth(key)
    assert api.call("GET", f"/v2/accounts/{created['id']}", token=own_token).status_code == 200
    assert api.call("GET", f"/v2/accounts/{root_id}", token=own_token).status_code == 403
    # the new account may not create top-level accounts itself
    assert api.call("PUT", "/v2/accounts", {"name": "Nested"}, token=own_token).status_code == 403


def test_top_level_account_is_validated_like_a_child(api):
    api.create_account(api.root, "Taken Name")
    before = _account_ids(api.store)
    cases = [({"name": "taken name"}, "name", "unique"),   # names are unique system-wide
             ({}, "name", "required"),
             ({"name": "x" * 129}, "name", "maxLength"),
             ({"name": "Realm Clash", "realm": "admin.test.local"}, "realm", "unique"),
             ({"name": "Bad Realm", "realm": "no spaces allowed"}, "realm", "pattern")]
    for data, field, keyword in cases:
        reply = api.call("PUT", "/v2/accounts", data, token=api.root.token)
        body = reply.get_json()
        assert reply.status_code == 400 and body["message"] == "validation error", (data, body)
        assert keyword in body["data"][field], (data, body)
    assert _account_ids(api.store) == before
    # and through the /v1 alias
    v1 = api.call("PUT", "/v1/accounts", {"name": "Via V1"}, token=api.root.token)
    assert v1.status_code == 201 and api.store.get(ACCOUNTS_DB, v1.get_json()["data"]["id"])[
        "pvt_tree"] == [api.root.account_id]


def test_top_level_account_needs_a_superduper_admin_token(api):
    child = api.create_account(api.root, "Plain Child")
    before = _account_ids(api.store)
    for data in ({"name": "Usurper"}, {}, {"name": "x" * 500}):
        reply = api.call("PUT", "/v2/accounts", data, token=child.token)
        body = reply.get_json()
        assert reply.status_code == 403, (data, body)   # refused before the body is judged
        assert body["status"] == "error" and body["error"] == "403"
        assert body["error_id"] == "forbidden" and body["request_id"]
    assert api.call("PUT", "/v2/accounts", {"name": "Anonymous"}).status_code == 401
    assert _account_ids(api.store) == before
    # the flag is read from the stored account at each request, not from the token
    root_doc = api.store.get(ACCOUNTS_DB, api.root.account_id)
    api.store.save(ACCOUNTS_DB, {**root_doc, "pvt_superduper_admin": False})
    assert api.call("PUT", "/v2/accounts", {"name": "After Demotion"},
                    token=api.root.token).status_code == 403
    child_doc = api.store.get(ACCOUNTS_DB, child.account_id)
    api.store.save(ACCOUNTS_DB, {**child_doc, "pvt_superduper_admin": True})
    promoted = api.call("PUT", "/v2/accounts", {"name": "By Promoted"}, token=child.token)
    assert promoted.status_code == 201, promoted.get_json()
    assert api.store.get(ACCOUNTS_DB, promoted.get_json()["data"]["id"])["pvt_tree"] == \
        [api.root.account_id, child.account_id]

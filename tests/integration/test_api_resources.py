"""Accounts, users, devices and media through the API."""
import hashlib
import io

from kzcore.naming import ACCOUNTS_DB, account_db


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
    assert api.call("GET", f"/v2/accounts/{child.account_id}/children",
                    token=child.token).status_code == 404

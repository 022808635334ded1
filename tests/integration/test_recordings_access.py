"""Who reaches recordings and transcripts, against the simulator over TCP:

- another account's recordings and transcripts, on every path and method (GET, PUT,
  POST, PATCH, DELETE of the lists, the documents, ``/raw``, ``/playback``): its token
  on their account is 403, their ids under its own account are 404 where the route
  exists (405 where no route takes that method, the same answer for its own ids), and
  nothing of theirs changes;
- playback links (for an <audio> element, which sends no auth header): one recording,
  no auth token in the URL, Range served, not an auth token themselves, dead once
  forged or once the account signs out;
- DELETE of a recording or a transcript, refused while it is being made.
"""
import logging
import os

import gevent
import pytest

from kzcore.naming import account_db
from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = [pytest.mark.timeout(60), pytest.mark.both_stores]
METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")


def recorded(rig, account, transcribe=False):
    """``(conference_id, room recording, participant track or None, transcript id or None)``."""
    conference_id = rig.create_conference(account)
    rig.sims[0].join(rig.room(account, conference_id), "2001", "Eve")
    started = rig.api.call("PUT", rig.url(account, conference_id), token=account.token, body={
        "action": "record", "data": {"action": "start", "transcribe": transcribe}})
    assert started.status_code == 202, started.get_json()
    gevent.sleep(0.4)
    stopped = rig.api.call("PUT", rig.url(account, conference_id), token=account.token, body={
        "action": "record", "data": {"action": "stop"}})
    (rec,) = stopped.get_json()["data"]["recordings"]
    if not transcribe:
        return conference_id, rec, None, None
    tracks = rig.api.call("GET", rig.url(account, conference_id, "/recordings?kind=participant"),
                          token=account.token).get_json()["data"]
    listed = rig.api.call("GET", rig.url(account, conference_id, "/transcripts"),
                          token=account.token).get_json()["data"]
    return conference_id, rec, tracks[0], listed[0]["id"]


def snapshot(rig, account):
    docs = {doc["_id"]: doc["_rev"] for doc in rig.api.store.all_docs(account_db(account.account_id))}
    root = os.path.join(rig.config.recordings_dir, account.account_id)
    files = sorted(os.path.join(top, name) for top, _, names in os.walk(root) for name in names)
    return docs, files


def send(rig, method, path, token):
    body = {"data": {"action": "stop"}} if method in ("PUT", "POST", "PATCH") else None
    return rig.api.call(method, path, body=body, token=token)


def test_another_accounts_recordings_and_transcripts_on_every_path_and_method(rig):
    beta_conf, rec, track, transcript = recorded(rig, rig.beta, transcribe=True)
    alpha_conf = rig.create_conference(rig.alpha)
    routes = {"/recordings": {"GET"}, f"/recordings/{rec['id']}": {"GET", "DELETE"},
              f"/recordings/{rec['id']}/raw": {"GET"},
              f"/recordings/{rec['id']}/playback": {"GET"},
              f"/recordings/{track['id']}": {"GET", "DELETE"},
              f"/recordings/{track['id']}/raw": {"GET"},
              "/transcripts": {"GET"}, f"/transcripts/{transcript}": {"GET", "DELETE"},
              f"/transcripts/{transcript}/raw": {"GET"}}
    before = snapshot(rig, rig.beta)
    checked = 0
    for tail, methods in routes.items():
        for method in METHODS:
            theirs = send(rig, method, rig.url(rig.beta, beta_conf, tail), rig.alpha.token)
            wanted = (403, 404) if method in methods else (403, 404, 405)
            assert theirs.status_code in wanted, (method, tail, theirs.status_code)
            assert theirs.get_json()["status"] == "error"
            for conference_id in (beta_conf, alpha_conf):
                mine = send(rig, method, rig.url(rig.alpha, conference_id, tail), rig.alpha.token)
                if method not in methods:
                    wanted = (405,)        # no such route, whoever asks
                elif tail in ("/recordings", "/transcripts") and conference_id == alpha_conf:
                    wanted = (200,)
                else:
                    wanted = (404,)
                assert mine.status_code in wanted, (method, tail, conference_id, mine.status_code)
                if mine.status_code == 200:
                    assert mine.get_json()["data"] == []
                checked += 1
    assert checked == len(routes) * len(METHODS) * 2
    assert snapshot(rig, rig.beta) == before
    for tail in routes:                        # beta's own token still reads all of it
        reply = rig.api.call("GET", rig.url(rig.beta, beta_conf, tail), token=rig.beta.token)
        assert reply.status_code == 200, (tail, reply.status_code)


def test_a_playback_link_plays_one_recording_without_the_auth_token(rig, caplog):
    caplog.set_level(logging.INFO, logger="crossbar.app")
    conference_id, rec, _, _ = recorded(rig, rig.alpha)
    reply = rig.call("GET", rig.alpha, conference_id, f"/recordings/{rec['id']}/playback")
    assert reply.status_code == 200, reply.get_json()
    link = reply.get_json()["data"]
    url, token = link["url"], link["url"].rsplit("/", 1)[1]
    assert url.startswith("/v2/recording_playback/") and 0 < link["expires_in"] <= 3600
    assert rig.alpha.token not in url
    whole = rig.api.client.get(url)                          # no auth header at all
    assert whole.status_code == 200 and whole.data[:4] == b"RIFF"
    assert len(whole.data) == rec["size"]
    assert whole.headers["Content-Disposition"].startswith("inline")
    part = rig.api.client.get(url, headers={"Range": "bytes=8-15"})
    assert part.status_code == 206 and part.data == whole.data[8:16]
    logged = [r.path for r in caplog.records if r.getMessage() == "request"]
    assert "/v2/recording_playback/<token>" in logged        # the route, never the link
    assert not [r for r in caplog.records if token in str(vars(r))]
    # a link is no auth token, an auth token no link, a changed link nothing
    assert rig.api.call("GET", f"/v2/accounts/{rig.alpha.account_id}/conferences",
                        token=token).status_code == 401
    assert rig.api.client.get(f"/v2/recording_playback/{rig.alpha.token}").status_code == 404
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert rig.api.client.get(f"/v2/recording_playback/{forged}").status_code == 404
    # another account gets no link to it
    assert rig.api.call("GET", rig.url(rig.alpha, conference_id,
                                       f"/recordings/{rec['id']}/playback"),
                        token=rig.beta.token).status_code == 403
    assert rig.call("GET", rig.beta, conference_id,
                    f"/recordings/{rec['id']}/playback").status_code == 404
    # signing the account out ends its links too
    out = rig.api.call("DELETE", f"/v2/accounts/{rig.alpha.account_id}/user_auth",
                       token=rig.alpha.token)
    assert out.status_code == 200, out.get_json()
    gevent.sleep(0.6)                                        # the principals cache TTL
    assert rig.api.client.get(url).status_code == 401


def test_delete_a_recording_and_a_transcript_once_they_are_finished(rig):
    conference_id = rig.create_conference(rig.alpha)
    rig.sims[0].join(rig.room(rig.alpha, conference_id), "2002", "Zoe")
    started = rig.call("PUT", rig.alpha, conference_id, body={
        "action": "record", "data": {"action": "start", "transcribe": True}})
    rec = started.get_json()["data"]["recording"]
    busy = rig.call("DELETE", rig.alpha, conference_id, f"/recordings/{rec['id']}")
    assert busy.status_code == 409 and "stop it first" in busy.get_json()["message"]
    gevent.sleep(0.3)
    assert rig.call("PUT", rig.alpha, conference_id, body={
        "action": "record", "data": {"action": "stop"}}).status_code == 202
    (transcript,) = rig.call("GET", rig.alpha, conference_id, "/transcripts").get_json()["data"]
    assert rig.call("DELETE", rig.alpha, conference_id,
                    f"/transcripts/{transcript['id']}").status_code == 409   # queued
    gone = rig.call("DELETE", rig.alpha, conference_id, f"/recordings/{rec['id']}")
    assert gone.status_code == 200, gone.get_json()
    for tail in (f"/recordings/{rec['id']}", f"/recordings/{rec['id']}/raw"):
        assert rig.call("GET", rig.alpha, conference_id, tail).status_code == 404
    assert not os.path.exists(os.path.join(rig.config.recordings_dir, rig.alpha.account_id,
                                           conference_id, rec["name"]))
    db = account_db(rig.alpha.account_id)
    rig.api.store.save(db, {**rig.api.store.get(db, transcript["id"]), "status": "ready"})
    assert rig.call("DELETE", rig.alpha, conference_id,
                    f"/transcripts/{transcript['id']}").status_code == 200
    assert rig.call("GET", rig.alpha, conference_id,
                    f"/transcripts/{transcript['id']}").status_code == 404

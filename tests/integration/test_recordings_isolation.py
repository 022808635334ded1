"""Isolation: another account's recordings and transcripts are 404 (or 403 under its own
account) on every recording and transcript path, whichever ids are used."""
import gevent
import pytest

from tests.integration.test_live_support import rig  # noqa: F401 (fixture)

pytestmark = [pytest.mark.timeout(60), pytest.mark.both_stores]


def test_another_accounts_recordings_and_transcripts_are_404_everywhere(rig):
    beta_conf = rig.create_conference(rig.beta)
    rig.sims[0].join(rig.room(rig.beta, beta_conf), "2001", "Eve")
    put = rig.call("PUT", rig.beta, beta_conf, body={"action": "record", "data": {
        "action": "start", "transcribe": True}})
    assert put.status_code == 202, put.get_json()
    gevent.sleep(0.2)
    (rec,) = rig.call("PUT", rig.beta, beta_conf, body={"action": "record", "data": {
        "action": "stop"}}).get_json()["data"]["recordings"]
    listed = rig.call("GET", rig.beta, beta_conf, "/transcripts").get_json()["data"]
    transcript = listed[0]["id"]
    tracks = rig.call("GET", rig.beta, beta_conf, "/recordings?kind=participant").get_json()
    assert len(tracks["data"]) == 1
    alpha_conf = rig.create_conference(rig.alpha)
    tails = ["/recordings", f"/recordings/{rec['id']}", f"/recordings/{rec['id']}/raw",
             f"/recordings/{tracks['data'][0]['id']}/raw", "/transcripts",
             f"/transcripts/{transcript}", f"/transcripts/{transcript}/raw"]
    for tail in tails:
        # beta's ids under beta's account, with alpha's token
        theirs = rig.api.call("GET", rig.url(rig.beta, beta_conf, tail), token=rig.alpha.token)
        assert theirs.status_code in (403, 404), (tail, theirs.status_code)
        # beta's ids under alpha's own account (its conference id, or alpha's conference)
        for conference_id in (beta_conf, alpha_conf):
            mine = rig.call("GET", rig.alpha, conference_id, tail)
            wanted = (200,) if tail in ("/recordings", "/transcripts") \
                and conference_id == alpha_conf else (404,)
            assert mine.status_code in wanted, (tail, conference_id, mine.status_code)
            if mine.status_code == 200:
                assert mine.get_json()["data"] == []
        assert rig.call("GET", rig.beta, beta_conf, tail).status_code in (200, 206), tail

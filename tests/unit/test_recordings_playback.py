"""Playback links (crossbar.recordings.playback) and the deadline rule for tracks
(crossbar.recordings.deadlines.overdue_tracks): pure, with a fixed clock."""
import pytest

from crossbar.recordings import playback
from crossbar.recordings.deadlines import overdue_tracks
from kzcore.errors import NotFound
from kzcore.tokens import TokenSigner

CLAIMS = {"account_id": "a" * 32, "owner_id": "u" * 32, "method": "user_auth", "agen": 2,
          "ugen": 1, "jti": "x", "iat": 1, "exp": 2}


def signer(now):
    return TokenSigner("secret", lifetime=3600, clock=lambda: now)


def test_a_link_names_one_recording_and_inherits_the_holders_claims_only():
    url, lifetime = playback.issue(signer(1000), CLAIMS, "b" * 32, "c" * 32, "r" * 32)
    token = url.rsplit("/", 1)[1]
    assert url.startswith(playback.LINK_PATH + "/") and lifetime == playback.LIFETIME
    claims, target = playback.verify(signer(1000 + lifetime - 1), token)
    assert target == ("b" * 32, "c" * 32, "r" * 32)
    assert {key: claims[key] for key in playback.INHERITED if key in claims} == {
        key: CLAIMS[key] for key in playback.INHERITED if key in CLAIMS}
    assert claims["exp"] == 1000 + lifetime and claims["jti"] != "x"


@pytest.mark.parametrize("spoil", ["expired", "auth token", "other key", "no target"])
def test_anything_but_a_live_link_is_404(spoil):
    url, _ = playback.issue(signer(1000), CLAIMS, "b" * 32, "c" * 32, "r" * 32)
    token, at = url.rsplit("/", 1)[1], 1000
    if spoil == "expired":
        at = 1000 + playback.LIFETIME + 1
    elif spoil == "auth token":
        token = signer(1000).issue(CLAIMS)            # an auth token is not a link
    elif spoil == "other key":
        token = playback.link_signer(TokenSigner("other", clock=lambda: 1000)).issue(
            {"playback": {"account_id": "b" * 32, "conference_id": "c", "recording_id": "r"}})
    else:
        token = playback.link_signer(signer(1000)).issue({"account_id": "a" * 32})
    with pytest.raises(NotFound):
        playback.verify(signer(at), token)


def test_a_link_does_not_verify_as_an_auth_token():
    url, _ = playback.issue(signer(1000), CLAIMS, "b" * 32, "c" * 32, "r" * 32)
    with pytest.raises(Exception) as refused:
        signer(1000).verify(url.rsplit("/", 1)[1])
    assert "invalid auth token" in str(refused.value)


def test_only_participant_tracks_past_deadline_and_grace_are_overdue():
    found = [{"_id": "late", "kind": "participant", "stop_at": 100.0},
             {"_id": "in-grace", "kind": "participant", "stop_at": 104.0},
             {"_id": "room", "kind": "conference", "stop_at": 10.0},
             {"_id": "no-deadline", "kind": "participant"}]
    assert [doc["_id"] for doc in overdue_tracks(found, now=106.0, grace=5.0)] == ["late"]

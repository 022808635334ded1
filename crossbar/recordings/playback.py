"""Playback links: a recording's audio for a player that cannot send headers.

An ``<audio>`` element fetches its ``src`` itself (and asks for byte ranges as the
listener seeks) without the API's ``X-Auth-Token`` header, and an auth token must
never travel in a URL (it would land in logs and histories). So an authenticated
``GET .../recordings/{id}/playback`` hands out a link to
``/v2/recording_playback/<token>``: the token is signed with a key derived for this
purpose only (it never verifies as an auth token, nor an auth token as a link),
names one recording of one account, expires after ``LIFETIME`` seconds and carries
the claims of the token it was issued for, so that a sign-out, a disabled user or
account, or a rotated API key ends the link's use too (kzcore.principals).
"""
from kzcore.errors import NotFound, Unauthorized

PURPOSE = "recording-playback"
LIFETIME = 900
LINK_PATH = "/v2/recording_playback"
# claims of the auth token the link inherits (the rest are the signer's own)
INHERITED = ("account_id", "owner_id", "method", "agen", "ugen", "kgen")


def link_signer(signer):
    return signer.derived(PURPOSE, LIFETIME)


def issue(signer, claims, account_id, conference_id, recording_id):
    """``(url, expires_in)`` of a playback link for the holder of ``claims``."""
    body = {name: claims[name] for name in INHERITED if name in claims}
    body["playback"] = {"account_id": account_id, "conference_id": conference_id,
                        "recording_id": recording_id}
    return f"{LINK_PATH}/{link_signer(signer).issue(body)}", LIFETIME


def verify(signer, token):
    """``(claims, (account_id, conference_id, recording_id))`` of a valid link;
    NotFound for anything forged, expired or malformed (a link says nothing about
    why it does not open)."""
    try:
        claims = link_signer(signer).verify(token)
    except Unauthorized:
        raise NotFound("playback link is not valid or has expired") from None
    target = claims.get("playback")
    if not isinstance(target, dict) or not all(
            isinstance(target.get(key), str) for key in ("account_id", "conference_id",
                                                        "recording_id")):
        raise NotFound("playback link is not valid or has expired")
    return claims, (target["account_id"], target["conference_id"], target["recording_id"])

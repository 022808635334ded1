"""Resume tokens: a connection's subscriptions, signed, for the client to keep.

Several gateways run behind one load balancer and none of them remembers
another's connections. So every successful subscribe, unsubscribe or resume
reply carries ``resume_token``: the connection's subscriptions
(``[[account_id, binding], ...]``) and the account of the auth token that made
them, signed with a key derived from ``KZ_TOKEN_SECRET`` (``TokenSigner.derived``:
it is never an auth token). After a reconnect, to any instance sharing the
secret, ``{"action": "resume", "auth_token", "data": {"resume_token"}}`` brings
them all back.

A resume token grants nothing by itself: the auth token sent with it is checked
as for a subscribe (signature, expiry, revocation), it must be of the account
the resume token was issued to, and every subscription's account must still be
in its scope (those that are not are refused and named in ``refused``). Events
published while the client was away are not replayed: a client re-reads the
state it shows after a resume, as after any reconnect.
"""
from kzcore.errors import Unauthorized

from blackhole.protocol import ProtocolError, binding_problem, INVALID_RESUME_TOKEN

PURPOSE = "kz-blackhole-resume"
LIFETIME = 24 * 3600          # seconds; the auth token presented with it still decides


class ResumeTokens:
    def __init__(self, signer, max_subscriptions=100):
        self._signer = signer
        self._max = max_subscriptions

    @classmethod
    def from_auth_signer(cls, auth_signer, max_subscriptions=100):
        return cls(auth_signer.derived(PURPOSE, LIFETIME), max_subscriptions)

    def issue(self, token_account_id, subscriptions):
        """``subscriptions``: ``{binding: account_id}`` (a session's)."""
        return self._signer.issue({"account_id": token_account_id,
                                   "subs": [[account, binding]
                                            for binding, account in subscriptions.items()]})

    def read(self, request_id, resume_token, token_account_id):
        """``[(account_id, binding), ...]`` or a ``ProtocolError``."""
        try:
            claims = self._signer.verify(resume_token)
        except Unauthorized as exc:
            return _refused(request_id, "expired" if "expired" in exc.message
                            else "not signed by this deployment")
        if claims.get("account_id") != token_account_id:
            return _refused(request_id, "issued to another account")
        subs = claims.get("subs")
        if not isinstance(subs, list) or len(subs) > self._max:
            return _refused(request_id, "malformed")
        pairs = []
        for item in subs:
            if not (isinstance(item, list) and len(item) == 2
                    and all(isinstance(part, str) for part in item)) \
                    or binding_problem(item[1]):
                return _refused(request_id, "malformed")
            pairs.append((item[0], item[1]))
        return pairs


def _refused(request_id, why):
    return ProtocolError(request_id, f"invalid resume token: {why}", INVALID_RESUME_TOKEN)

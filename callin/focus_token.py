"""The proof a caller bridged to the focus node carries (issue 18).

A caller who reached a node that does not host their conference passes the PIN
there; the call-in service then bridges the call to the focus node, whose
dialplan sends it to the call-in service again. That second leg must not be
asked for the PIN twice, but nothing a caller can send may skip the PIN either:
a SIP header is something any caller can set. So the first call-in service
signs what it established, and the second one trusts the leg only if the
signature holds.

The token travels as the bridge leg's ``sip_h_X-KZ-Focus`` channel variable
(FreeSWITCH sends ``sip_h_*`` variables as SIP headers; the receiving switch
shows it as the channel variable ``sip_h_X-KZ-Focus``, in the connect reply as
``variable_sip_h_X-KZ-Focus``). ecallmgr never publishes it (only ``kz_*`` and
``ecallmgr_*`` variables reach tenants). Its form:
``kzf1.<base64url(JSON claims)>.<hex HMAC-SHA256>``, claims ``a`` account, ``c``
conference, ``r`` role, ``n`` the caller's number, ``e`` expiry (Unix seconds),
``i`` a random nonce. It is refused when the signature is wrong, it expired, the
caller number differs, or its nonce was already used (single use, per process:
with several call-in processes a token is still bound to its caller and lives
``KZ_FOCUS_TOKEN_TTL`` seconds). The key is ``KZ_FOCUS_SECRET`` (else derived
from ``KZ_CALLIN_SECRET``, else random per process: enough when one call-in
process serves every node).
"""
import base64
import dataclasses
import hashlib
import hmac
import json
import secrets
import time

VERSION = "kzf1"
HEADER_VARIABLE = "sip_h_X-KZ-Focus"
ARRIVAL_HEADER = f"variable_{HEADER_VARIABLE}"
MAX_LENGTH = 1024
ROLES = ("member", "moderator")


class TokenRefused(Exception):
    """The token is not one this service can trust (the message says why)."""


@dataclasses.dataclass(frozen=True)
class Claims:
    account_id: str
    conference_id: str
    role: str
    caller_number: str


def signing_key(focus_secret="", callin_secret=""):
    """The HMAC key: from KZ_FOCUS_SECRET, else KZ_CALLIN_SECRET, else random."""
    secret = focus_secret or callin_secret
    if not secret:
        return secrets.token_bytes(32)
    return hashlib.sha256(b"kz-focus-token\n" + secret.encode("utf-8")).digest()


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FocusTokens:
    def __init__(self, key, ttl=30.0, clock=time.time):
        self.key, self.ttl, self.clock = key, float(ttl), clock
        self._used = {}    # nonce -> expiry

    def _signature(self, body):
        return hmac.new(self.key, f"{VERSION}.{body}".encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self, claims):
        payload = {"a": claims.account_id, "c": claims.conference_id, "r": claims.role,
                   "n": claims.caller_number, "e": int(self.clock() + self.ttl),
                   "i": secrets.token_hex(12)}
        body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        return f"{VERSION}.{body}.{self._signature(body)}"

    def redeem(self, token, caller_number):
        """Claims of a token this service signed, unexpired, unused, for this caller."""
        if not isinstance(token, str) or not token or len(token) > MAX_LENGTH:
            raise TokenRefused("no token or an oversized one")
        version, _, rest = token.partition(".")
        body, _, signature = rest.partition(".")
        if version != VERSION or not hmac.compare_digest(signature.encode("ascii", "replace"),
                                                         self._signature(body).encode("ascii")):
            raise TokenRefused("bad signature")
        payload = json.loads(_unb64(body))
        now = self.clock()
        if not isinstance(payload.get("e"), int) or payload["e"] < now:
            raise TokenRefused("expired")
        if payload.get("n") != caller_number:
            raise TokenRefused("issued for another caller")
        if payload.get("r") not in ROLES:
            raise TokenRefused("unknown role")
        self._forget_expired(now)
        if payload.get("i") in self._used:
            raise TokenRefused("already used")
        self._used[payload.get("i")] = payload["e"]
        return Claims(payload.get("a"), payload.get("c"), payload["r"], caller_number)

    def _forget_expired(self, now):
        for nonce in [nonce for nonce, expiry in self._used.items() if expiry < now]:
            del self._used[nonce]

"""Signed, expiring auth tokens (HMAC-SHA256), shared by crossbar and blackhole."""
import base64
import hashlib
import hmac
import json
import secrets
import time

from kzcore.errors import Unauthorized


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """``issue(claims) -> token`` and ``verify(token) -> claims``.

    Claims always hold ``account_id``; ``jti`` (a random token id), ``iat`` and
    ``exp`` are added here. Whether a well-signed token still lets its holder in
    (account, user, sign-outs, key rotation) is kzcore.principals' question.
    """

    def __init__(self, secret, lifetime=3600, clock=time.time):
        if not secret:
            raise ValueError("token secret must not be empty")
        self._key = secret.encode("utf-8") if isinstance(secret, str) else secret
        self.lifetime = int(lifetime)
        self._clock = clock

    def derived(self, purpose, lifetime=None):
        """A signer for another kind of token (e.g. blackhole's resume tokens),
        keyed by HMAC(secret, purpose): its tokens never verify as auth tokens,
        nor auth tokens as its own."""
        key = hmac.new(self._key, purpose.encode("utf-8"), hashlib.sha256).digest()
        return TokenSigner(key, self.lifetime if lifetime is None else lifetime, self._clock)

    def issue(self, claims):
        now = int(self._clock())
        body = dict(claims, jti=secrets.token_hex(16), iat=now, exp=now + self.lifetime)
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token):
        if not token or not isinstance(token, str) or token.count(".") != 1:
            raise Unauthorized("invalid auth token")
        payload, signature = token.split(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise Unauthorized("invalid auth token")
        try:
            claims = json.loads(_unb64(payload))
        except (ValueError, TypeError) as exc:
            raise Unauthorized("invalid auth token") from exc
        if claims.get("exp", 0) < self._clock():
            raise Unauthorized("auth token expired")
        return claims

    def _sign(self, payload):
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

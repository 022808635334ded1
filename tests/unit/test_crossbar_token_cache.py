"""The guard's token cache answers exactly like TokenSigner.verify."""
import pytest

from crossbar.auth.guard import verified_claims
from kzcore.errors import Unauthorized
from kzcore.tokens import TokenSigner


class CountingSigner(TokenSigner):
    def __init__(self, clock):
        super().__init__("secret-for-cache-test", lifetime=10, clock=clock)
        self.verified = 0

    def verify(self, token):
        self.verified += 1
        return super().verify(token)


def test_a_token_is_checked_once_and_expires_on_time():
    now = [1000.0]
    signer = CountingSigner(lambda: now[0])
    token, cache = signer.issue({"account_id": "a" * 32}), {}
    first = verified_claims(signer, token, cache)
    first["account_id"] = "mutated by a caller"
    again = verified_claims(signer, token, cache)
    assert again["account_id"] == "a" * 32 and signer.verified == 1
    now[0] = 1011.0
    with pytest.raises(Unauthorized, match="expired"):
        verified_claims(signer, token, cache)
    with pytest.raises(Unauthorized, match="expired"):
        verified_claims(signer, token, cache)  # no longer cached: verify says so too
    assert signer.verified == 2


def test_bad_tokens_are_never_cached():
    signer = CountingSigner(lambda: 1000.0)
    token, cache = signer.issue({"account_id": "a" * 32}), {}
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            verified_claims(signer, forged, cache)
    assert cache == {} and signer.verified == 2

"""The token a caller bridged to the focus node carries (callin.focus_token): only
what this service signed, unexpired, for the same caller, once."""
import pytest

from callin.focus_token import Claims, FocusTokens, TokenRefused, signing_key


class Clock:
    now = 1_000_000.0

    def __call__(self):
        return self.now


def tokens(clock=None, key=b"k" * 32):
    return FocusTokens(key, ttl=30, clock=clock or Clock())


CLAIMS = Claims("a" * 32, "conf1", "moderator", "5551001")


def test_a_token_is_redeemed_once_for_its_caller():
    made = tokens()
    token = made.issue(CLAIMS)
    assert token.startswith("kzf1.") and "," not in token and "}" not in token
    assert made.redeem(token, "5551001") == CLAIMS
    with pytest.raises(TokenRefused, match="already used"):
        made.redeem(token, "5551001")


@pytest.mark.parametrize("mutate, caller, reason", [
    (lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"), "5551001", "bad signature"),
    (lambda t: "kzf2" + t[4:], "5551001", "bad signature"),
    (lambda t: t.replace(".", "x", 1), "5551001", "bad signature"),
    (lambda t: t, "5559999", "another caller"),
    (lambda t: "", "5551001", "no token"),
    (lambda t: t + "0" * 2000, "5551001", "oversized"),
])
def test_tampered_or_misused_tokens_are_refused(mutate, caller, reason):
    made = tokens()
    with pytest.raises(TokenRefused, match=reason):
        made.redeem(mutate(made.issue(CLAIMS)), caller)


def test_another_key_or_an_expired_token_is_refused():
    clock = Clock()
    token = tokens(clock).issue(CLAIMS)
    with pytest.raises(TokenRefused, match="bad signature"):
        tokens(clock, key=b"x" * 32).redeem(token, "5551001")
    clock.now += 31
    with pytest.raises(TokenRefused, match="expired"):
        tokens(clock).redeem(token, "5551001")


def test_signing_key_is_derived_from_the_secrets_or_random():
    assert signing_key("focus", "callin") == signing_key("focus", "other")
    assert signing_key("", "callin") != signing_key("", "other")
    assert signing_key("", "") != signing_key("", "")     # random per process

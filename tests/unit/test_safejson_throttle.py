"""Pure parts of the limits: JSON nesting measured on the text, the login
throttle's counting on a fake clock, body limits per endpoint."""
import json

import pytest

from crossbar.auth.throttle import LoginThrottle, login_keys
from crossbar.body_limits import limit_for
from kzcore import safejson
from kzcore.config import load_config
from kzcore.errors import TooManyAttempts


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ("{}", 1), ("[[],[[]]]", 3), ('{"a":[1,{"b":[]}]}', 4),
    ('"[[[["', 0),                        # brackets in strings do not count
    ('["a\\"[[", "]]]"]', 1),             # nor after an escaped quote
    ('["\\\\", [[]]]', 3),                # an escaped backslash ends before the quote
    ('{"k\\u005b":[{"v":"}}}"}]}', 3),
])
def test_nesting_depth_reads_brackets_outside_strings(text, depth):
    assert safejson.nesting_depth(text) == depth
    assert safejson.nesting_depth(text.encode()) == depth


def test_loads_refuses_deep_text_and_parses_the_rest_exactly():
    deep = "[" * 33 + "]" * 33
    with pytest.raises(safejson.TooDeep) as refused:
        safejson.loads(deep)
    assert isinstance(refused.value, ValueError) and refused.value.max_depth == 32
    ok = {"a": [[["x"]]], "s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}
    assert safejson.loads(json.dumps(ok)) == ok
    assert safejson.loads("[" * 32 + "]" * 32) is not None
    with pytest.raises(safejson.TooDeep):
        safejson.loads("[" * 100_000)          # unclosed: refused before the parser recurses


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _throttle(clock, **overrides):
    settings = dict(max_failures=3, max_failures_per_address=5, lockout=2.0, max_lockout=8.0,
                    window=60.0, clock=clock)
    settings.update(overrides)
    return LoginThrottle(**settings)


def test_lockout_starts_at_the_threshold_and_doubles_up_to_the_maximum():
    clock = Clock()
    throttle = _throttle(clock)
    keys = [("name", "acme")]
    waits = []
    for _ in range(6):
        throttle.check(keys)
        throttle.failed(keys)
        try:
            throttle.check(keys)
            waits.append(0)
        except TooManyAttempts as locked:
            waits.append(locked.retry_after)
            clock.now += locked.retry_after
    assert waits == [0, 0, 2, 4, 8, 8]


def test_failures_are_forgotten_after_the_window_and_success_clears_names_only():
    clock = Clock()
    throttle = _throttle(clock)
    name, address = ("name", "acme"), ("address", "10.0.0.1")
    for _ in range(2):
        throttle.failed([name, address])
    clock.now += 61
    throttle.failed([name])
    throttle.failed([name])
    throttle.check([name])                       # 2 failures in the window: not locked
    for _ in range(4):                           # the address's two old ones are forgotten
        throttle.failed([address])
    throttle.check([address])
    throttle.succeeded([name, address])
    throttle.failed([name])
    throttle.check([name])                       # the success reset the name: 1 failure
    throttle.failed([address])                   # the address kept its 4: now 5, locked
    with pytest.raises(TooManyAttempts):
        throttle.check([address])


def test_the_table_stays_bounded():
    clock = Clock()
    throttle = _throttle(clock, max_entries=100)
    for n in range(1000):
        throttle.failed([("name", f"n{n}")])
    assert len(throttle._records) <= 100


def test_login_keys_follow_the_identifier_the_lookup_uses():
    assert login_keys({"account_name": "ACME, Inc."}, "1.2.3.4") == [
        ("address", "1.2.3.4"), ("name", "acmeinc")]
    assert login_keys({"phone_number": "+1 (415) 555-0100", "account_name": "x"}, "a")[1] == \
        ("number", "14155550100")
    assert login_keys({"account_realm": "Acme.Example"}, "a")[1] == ("realm", "acme.example")
    assert login_keys({"api_key": "k"}, "a") == [("address", "a")]
    assert len(login_keys({"account_name": "x" * 20000}, "a")[1][1]) <= 256


def test_each_route_has_its_body_limit():
    config = load_config(env={"KZ_HTTP_MAX_AUTH_BODY": "100", "KZ_HTTP_MAX_BODY": "200",
                              "KZ_HTTP_MAX_MEDIA_BODY": "300"})
    assert limit_for("api.auth.user_auth", config) == limit_for("api.auth.api_auth", config) == 100
    assert limit_for("api.media.media_raw_upload", config) == 300
    assert limit_for("api.conferences.conferences_create", config) == 200
    assert limit_for(None, config) == 200

"""Carriers, the pure parts: E.164 numbers, safe regexes, which gateways a number
goes through in which order, caller ids and gateway names."""
import time

import pytest

from kzcore import carriers, e164, safe_regex


@pytest.mark.parametrize("dialled, country, expected", [
    ("5552234567", "1", "+15552234567"),
    ("15552234567", "1", "+15552234567"),
    ("+1 (555) 223-4567", "1", "+15552234567"),
    ("011442071234567", "1", "+442071234567"),
    ("00442071234567", "1", "+442071234567"),
    ("+442071234567", "1", "+442071234567"),
    ("02071234567", "44", "+442071234567"),
    ("0033142685300", "44", "+33142685300"),
    ("5551234567", "1", None),          # NANP exchanges do not start with 1
    ("911", "1", None), ("112", "44", None), ("*98", "1", None), ("12#", "1", None),
    ("+12", "1", None), ("abc", "1", None), (None, "1", None),
])
def test_normalize(dialled, country, expected):
    assert e164.normalize(dialled, country) == expected


@pytest.mark.parametrize("code", ["0", "1234", "x", "", "+01"])
def test_country_codes_are_checked(code):
    with pytest.raises(ValueError):
        e164.normalize("5552234567", code)


@pytest.mark.parametrize("fmt, expected", [("e164", "+15552234567"), ("1npan", "15552234567"),
                                           ("npan", "5552234567"), ("route", "5552234567")])
def test_invite_formats(fmt, expected):
    assert e164.invite_number("+15552234567", "555-223-4567", fmt) == expected


def test_invite_formats_of_other_countries_and_short_codes():
    assert e164.invite_number("+442071234567", "02071234567", "npan") == "442071234567"
    assert e164.invite_number(None, "911", "e164") == "911"
    with pytest.raises(ValueError):
        e164.invite_number("+15552234567", "x", "contact")


@pytest.mark.parametrize("pattern", [r"^\+?1\d{10}$", r"^\+44", r"^(\+1|1)?\d{10}$",
                                     r"^\+1(555|800)\d{7}$", r"(\d\d)+", r"^.*$", r"^[0-9]+$"])
def test_safe_regexes_pass(pattern):
    assert safe_regex.check(pattern).pattern == pattern


@pytest.mark.parametrize("pattern, why", [
    ("(a+)+$", "nested repeats"), (r"(\d*)*", "nested repeats"), ("(a|a)*b", "alternation"),
    (r"(\d+)\1", "backreferences"), (r"(?=\d)\d", "look-ahead"), ("[", "not a valid"),
    ("a{1,1000}", "repeat counts"), ("x" * 300, "at most 256"), ("", "non-empty"),
    (r"(?P<x>\d)(?(x)a|b)", "conditional"),
])
def test_unsafe_regexes_are_refused(pattern, why):
    with pytest.raises(safe_regex.UnsafeRegex, match=why):
        safe_regex.check(pattern)


def test_an_allowed_pattern_stays_fast_on_hostile_input():
    compiled = safe_regex.check(r"^(\+1|1)?\d{10}$")
    started = time.perf_counter()
    assert compiled.search("1" * 33 + "x") is None
    assert time.perf_counter() - started < 0.05


def resource(rid, weight, rules, ports=(5060,), **extra):
    return {"_id": rid, "_rev": "1-a", "name": rid, "weight_cost": weight, "rules": rules,
            "pvt_gateway_salt": "salt",
            "gateways": [{"server": f"gw{p}.example.net", "port": p} for p in ports], **extra}


def test_number_plan_orders_by_scope_then_weight_then_gateway():
    own = [resource("own-dear", 10, [r"^\+1"], (1, 2)), resource("own-cheap", 1, [r"^\+1"]),
           resource("own-uk", 0, [r"^\+44"])]
    system = [resource("sys", 0, [r"^\+1"])]
    plan = carriers.number_plan("5552234567", own, system)
    assert [(a.resource_id, a.gateway_index) for a in plan] == [
        ("own-cheap", 0), ("own-dear", 0), ("own-dear", 1), ("sys", 0)]
    assert {a.user for a in plan} == {"+15552234567"}
    assert [a.scope for a in carriers.number_plan("5552234567", own, system, "system_first")][0] \
        == carriers.SYSTEM
    assert carriers.number_plan("5552234567", own, system, "account_only")[-1].resource_id \
        == "own-dear"
    assert carriers.number_plan("+33142685300", own, system) == []


def test_disabled_resources_and_gateways_and_ruleless_resources_are_skipped():
    off = resource("off", 0, [r".*"], enabled=False)
    gateway_off = resource("half", 0, [r".*"], (1, 2))
    gateway_off["gateways"][0]["enabled"] = False
    ruleless = resource("none", 0, [])
    plan = carriers.number_plan("+15552234567", [off, gateway_off, ruleless], [])
    assert [(a.resource_id, a.gateway_index) for a in plan] == [("half", 1)]


def test_gateway_user_takes_format_prefix_and_suffix():
    doc = resource("r", 0, [r".*"])
    doc["gateways"][0].update({"invite_format": "1npan", "prefix": "99#", "suffix": "1"})
    (attempt,) = carriers.number_plan("5552234567", [doc], [])
    assert attempt.user == "99#155522345671"


def test_sip_plan_only_through_resources_that_allow_uris():
    allowed = resource("uri", 5, [], allow_sip_uris=True)
    plan = carriers.sip_plan("bob@far.example.net", [resource("no", 0, [r".*"]), allowed], [])
    assert [(a.resource_id, a.user) for a in plan] == [("uri", "bob@far.example.net")]


def test_gateway_names_are_opaque_and_change_with_every_saved_revision():
    doc = resource("0123456789abcdef0123456789abcdef", 0, [r".*"])
    (first,) = carriers.live_gateways(doc)
    assert first.name.startswith("kz_") and len(first.name) == 23
    assert doc["_id"] not in first.name
    assert carriers.live_gateways(dict(doc))[0].name == first.name
    assert carriers.live_gateways({**doc, "_rev": "2-b"})[0].name != first.name
    assert carriers.live_gateways({**doc, "pvt_gateway_salt": "other"})[0].name != first.name
    changed = {**doc, "gateways": [{"server": "gw5060.example.net", "port": 5061}]}
    assert carriers.live_gateways(changed)[0].name != first.name
    assert dict(first.params) == {"proxy": "gw5060.example.net:5060", "register": "false",
                                  "caller-id-in-from": "true"}


def test_gateway_params_carry_credentials_and_realm():
    spec = {"server": "sip.carrier.net", "realm": "carrier.net", "username": "u1",
            "password": "p@ss"}
    assert carriers.gateway_params(spec) == [
        ("proxy", "sip.carrier.net"), ("register", "false"), ("caller-id-in-from", "true"),
        ("realm", "carrier.net"), ("username", "u1"), ("password", "p@ss")]


@pytest.mark.parametrize("options, dial, account, expected", [
    ({}, ("555", "Dial"), {"external": {"number": "111"}}, ("555", "Dial")),
    ({}, (None, None), {"external": {"number": "111", "name": "Acct"}}, ("111", "Acct")),
    ({"type": "emergency"}, (None, None), {"external": {"number": "111"},
                                           "emergency": {"number": "911"}}, ("911", None)),
    ({"number": "+1999"}, (None, None), {}, ("+1999", None)),
    ({"number": "+1999", "name": "Main", "force": True}, ("555", "Dial"), {}, ("+1999", "Main")),
    ({}, (None, None), None, (None, None)),
    ({}, (None, "Dial"), {"external": {"number": "111", "name": "Acct"}}, ("111", "Dial")),
    ({}, (None, "Dial"), None, (None, None)),
])
def test_caller_id(options, dial, account, expected):
    doc = {"caller_id_options": options}
    assert carriers.caller_id(doc, dial[0], dial[1], account) == expected

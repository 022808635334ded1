"""The resources API: Kazoo's document shape, passwords never shown, who may do
what (admins for an account's, superduper admins for the system's), and bad
input refused with a 400 that names the field before anything is stored or
served to the switch."""
import pytest

from crossbar.resources import catalog
from crossbar.xmlcurl import create_blueprint
from kzcore.config import load_config

GOOD = {"name": "Carrier One", "rules": [r"^\+1\d{10}$"], "weight_cost": 5,
        "gateways": [{"server": "sip.carrier.net", "port": 5060, "username": "acct1",
                      "password": "s3cret!", "realm": "carrier.net", "prefix": "9",
                      "codecs": ["PCMU", "PCMA"], "invite_format": "1npan",
                      "progress_timeout": 6}]}
SOFIA_FETCH = {"section": "configuration", "key_value": "sofia.conf", "profile": "external"}


@pytest.fixture
def api(app_factory):
    harness = app_factory(extra_blueprints=[create_blueprint(None, None)])
    return harness


@pytest.fixture
def served(app_factory):
    """An app whose /fsxml answers from the same store (the switch's view)."""
    from kzcore.store.embedded import EmbeddedStore
    store = EmbeddedStore(":memory:", account_dbs_on_write=False)
    harness = app_factory(store=store, extra_blueprints=[
        create_blueprint(store, load_config(env={}))])
    yield harness
    store.close()


def account_path(account, tail=""):
    return f"/v2/accounts/{account.account_id}/resources{tail}"


def sofia_conf(harness):
    reply = harness.client.post("/fsxml", data=SOFIA_FETCH)
    assert reply.status_code == 200
    return reply.data.decode()


def test_crud_with_masked_passwords(api):
    alpha = api.create_account(api.root, "Alpha Co")
    created = api.call("PUT", account_path(alpha), GOOD, token=alpha.token)
    assert created.status_code == 201, created.get_json()
    data = created.get_json()["data"]
    assert data["gateways"][0]["password"] == "********"
    assert data["enabled"] is True and data["caller_id_options"]["type"] == "external"
    assert data["_read_only"] == {"gateway_sync": None}          # no switch configured
    one = account_path(alpha, f"/{data['id']}")
    shown = api.call("GET", one, token=alpha.token).get_json()["data"]
    assert shown["gateways"][0]["password"] == "********" and "pvt_gateway_salt" not in shown
    assert "s3cret!" not in repr(api.call("GET", account_path(alpha), token=alpha.token).get_json())
    shown["name"] = "Renamed"                                     # GET, edit, POST back
    saved = api.call("POST", one, shown, token=alpha.token)
    assert saved.status_code == 200, saved.get_json()
    stored = api.store.get(f"account/{alpha.account_id[:2]}/{alpha.account_id[2:4]}/"
                           f"{alpha.account_id[4:]}", data["id"])
    assert stored["gateways"][0]["password"] == "s3cret!" and stored["name"] == "Renamed"
    moved = dict(shown, gateways=[dict(shown["gateways"][0], server="other.carrier.net")])
    refused = api.call("POST", one, moved, token=alpha.token)      # the mask is not a password
    assert refused.status_code == 400
    assert "gateways.0.password" in refused.get_json()["data"]
    listed = api.call("GET", account_path(alpha), token=alpha.token).get_json()["data"]
    assert listed == [{"id": data["id"], "name": "Renamed", "enabled": True, "weight_cost": 5,
                       "rules": GOOD["rules"], "gateways": 1}]
    assert api.call("DELETE", one, token=alpha.token).status_code == 200
    assert api.call("GET", one, token=alpha.token).status_code == 404


def test_system_resources_are_for_superduper_admins_only(api):
    alpha = api.create_account(api.root, "Alpha Co")
    assert api.call("GET", "/v2/resources", token=alpha.token).status_code == 403
    assert api.call("PUT", "/v2/resources", GOOD, token=alpha.token).status_code == 403
    created = api.call("PUT", "/v2/resources", GOOD, token=api.root.token)
    assert created.status_code == 201
    rid = created.get_json()["data"]["id"]
    assert api.store.get(catalog.SYSTEM_DB, rid)["pvt_type"] == "resource"
    assert api.call("GET", f"/v2/resources/{rid}", token=alpha.token).status_code == 403
    assert api.call("GET", account_path(alpha, f"/{rid}"), token=alpha.token).status_code == 404
    assert [r["id"] for r in api.call("GET", "/v2/resources", token=api.root.token)
            .get_json()["data"]] == [rid]


def test_only_admins_manage_an_accounts_resources(api):
    alpha = api.create_account(api.root, "Alpha Co")
    user = api.call("PUT", f"/v2/accounts/{alpha.account_id}/users",
                    {"username": "plain", "password": "plain-pass-1", "priv_level": "user",
                     "first_name": "P", "last_name": "U"}, token=alpha.token)
    assert user.status_code == 201, user.get_json()
    token = api.user_auth("plain", "plain-pass-1", "Alpha Co")
    assert api.call("GET", account_path(alpha), token=token).status_code == 403
    assert api.call("PUT", account_path(alpha), GOOD, token=token).status_code == 403
    assert api.call("PUT", account_path(alpha), GOOD, token=api.root.token).status_code == 201


def with_gateway(**changes):
    gateway = dict(GOOD["gateways"][0], **changes)
    return dict(GOOD, gateways=[gateway])


NASTY = ["bad host", "a\nb", "a\r\napi shutdown", "a'b", 'a"b', "a{b}", "a}b", "a$b",
         "a\\b", "${x}"]
CASES = ([("gateways.0." + field, with_gateway(**{field: value}))
          for field in ("server", "realm", "username", "password", "prefix", "suffix")
          for value in NASTY]
         + [("gateways.0.codecs.0", with_gateway(codecs=[value])) for value in NASTY]
         + [("gateways.0.port", with_gateway(port=value)) for value in (0, 65536, -1, "5060")]
         + [("gateways.0.invite_format", with_gateway(invite_format="contact")),
            ("gateways.0.progress_timeout", with_gateway(progress_timeout=0)),
            ("gateways.0", with_gateway(extension="x")),   # additionalProperties
            ("weight_cost", dict(GOOD, weight_cost=101)),
            ("rules.0", dict(GOOD, rules=["("])), ("rules.0", dict(GOOD, rules=["(a+)+$"])),
            ("rules.1", dict(GOOD, rules=["^1", r"(\d)\1"])),
            ("rules.0", dict(GOOD, rules=["(ab|a)*c"])),
            ("caller_id_options.name", dict(GOOD, caller_id_options={"name": "Bad'Name"})),
            ("caller_id_options.number", dict(GOOD, caller_id_options={"number": "1 2"})),
            ("gateways", dict(GOOD, gateways=[]))])


@pytest.mark.parametrize("field, data", CASES, ids=[f"{f}={i}" for i, (f, _) in enumerate(CASES)])
def test_bad_input_is_400_and_reaches_nothing(served, field, data):
    alpha = served.create_account(served.root, "Alpha Co")
    before = sofia_conf(served)
    for path, token in ((account_path(alpha), alpha.token), ("/v2/resources", served.root.token)):
        reply = served.call("PUT", path, data, token=token)
        assert reply.status_code == 400, reply.get_json()
        body = reply.get_json()
        assert body["status"] == "error" and field in body["data"], body["data"]
    assert catalog.all_resources(served.store) == []
    assert sofia_conf(served) == before
    good = served.call("PUT", account_path(alpha), GOOD, token=alpha.token)
    rid = good.get_json()["data"]["id"]
    after_good = sofia_conf(served)
    reply = served.call("POST", account_path(alpha, f"/{rid}"), data, token=alpha.token)
    assert reply.status_code == 400
    assert sofia_conf(served) == after_good


def test_served_gateways_follow_the_documents(served):
    alpha = served.create_account(served.root, "Alpha Co")
    assert "<gateway " not in sofia_conf(served)
    created = served.call("PUT", account_path(alpha), GOOD, token=alpha.token).get_json()["data"]
    first = sofia_conf(served)
    assert 'name="password" value="s3cret!"' in first and 'value="sip.carrier.net:5060"' in first
    assert alpha.account_id not in first and created["id"] not in first
    served.call("PATCH", account_path(alpha, f"/{created['id']}"), {"enabled": False},
                token=alpha.token)
    assert "<gateway " not in sofia_conf(served)
    served.call("PATCH", account_path(alpha, f"/{created['id']}"), {"enabled": True},
                token=alpha.token)
    again = sofia_conf(served)
    assert "<gateway " in again and again != first       # a saved resource: new names
    served.call("PATCH", f"/v2/accounts/{alpha.account_id}", {"enabled": False},
                token=served.root.token)
    assert "<gateway " not in sofia_conf(served)          # a disabled account's carriers go

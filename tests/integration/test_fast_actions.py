"""Participant actions answered before Flask (crossbar.fast_actions) answer
exactly as the Flask route does: every case below is sent to two apps over the
same store and the same switch connection, one with the fast path and one
without (``KZ_HTTP_FAST_ACTIONS=false``), and the status line, headers, body
(the timestamp aside), the commands the switch received and the metrics must be
the same. Flask's ``request_started`` signal shows which path answered.

The switch is a scripted ESL server (tests.support.esl_script_server), so every
reply, refusal and silence is the same for both apps."""
import json
import logging

import pytest
from flask import request_started

from crossbar.app import create_app
from crossbar.bootstrap import bootstrap
from crossbar.live import LiveConferences, create_blueprint
from crossbar.live.compose import COMMAND_EVENTS
from crossbar.observability import STATS_KEY, observe
from kzcore.config import load_config
from kzcore.errors import TooManyAttempts
from kzcore.esl.pool import EslPool
from kzcore.naming import fs_conference_name
from kzcore.schemas.loader import load_schemas
from kzcore.schemas.registry import SchemaRegistry
from kzcore.store.embedded import EmbeddedStore
from kzcore.tokens import TokenSigner
from tests.support.api import ADMIN, ApiHarness
from tests.support.esl_script_server import EslScriptServer

SETTINGS = dict(esl_timeout=0.5, token_secret="s", http_max_body=4096)
USAGE = b"energy <member_id|all|last|non_moderator> [<newval>]"


class Rig:
    def __init__(self, tmp_path):
        self.server = EslScriptServer().start()
        settings = dict(SETTINGS, recordings_dir=str(tmp_path),
                        esl_nodes=f"freeswitch@scripted=127.0.0.1:{self.server.port}:ClueCon")
        config = load_config(env={}, **settings)
        self.pool = EslPool(config.nodes, timeout=config.esl_timeout,
                            events=COMMAND_EVENTS).start()
        assert self.pool.wait_connected(5)
        self.store = EmbeddedStore(":memory:")
        live = LiveConferences(self.pool, self.store, config)
        load_schemas(self.store)
        self.apps = {which: create_app(load_config(env={}, http_fast_actions=fast, **settings),
                                       store=self.store, schemas=SchemaRegistry(self.store),
                                       signer=TokenSigner("test-secret-for-crossbar", 3600),
                                       live=live, extra_blueprints=[create_blueprint()])
                     for which, fast in (("fast", True), ("flask", False))}
        for app in self.apps.values():
            observe(app)
        self.api = ApiHarness(self.apps["fast"], self.store, bootstrap(self.store, **ADMIN))
        self.flask_answered = {name: 0 for name in self.apps}
        for name, app in self.apps.items():
            request_started.connect(self._counter(name), app, weak=False)
        api = self.api
        self.account = api.create_account(api.root, "Fast Co")
        self.other = api.create_account(api.root, "Other Co")
        reply = api.call("PUT", f"/v2/accounts/{self.account.account_id}/conferences",
                         {"name": "F"}, token=self.account.token)
        self.conference_id = reply.get_json()["data"]["id"]
        self.room = fs_conference_name(self.account.account_id, self.conference_id)
        self.server.api[f"conference {self.room} list count"] = b"2"
        self.url = (f"/v2/accounts/{self.account.account_id}/conferences/"
                    f"{self.conference_id}/participants")

    def _counter(self, name):
        def count(sender, **extra):
            self.flask_answered[name] += 1
        return count

    def send(self, name, method, path, body, headers):
        """(normalised answer, commands the switch got, did Flask answer)."""
        assert self.pool.wait_connected(5)     # after a timeout the connection is new
        before_commands, before_flask = len(self.server.commands), self.flask_answered[name]
        client = self.apps[name].test_client()
        reply = client.open(path, method=method, headers=headers, data=body)
        answer = {"status": reply.status, "headers": sorted(reply.headers.items()),
                  "body": json.loads(reply.data)}
        answer["body"].pop("timestamp", None)
        return (answer, self.server.commands[before_commands:],
                self.flask_answered[name] > before_flask)

    def close(self):
        self.pool.close()
        self.server.stop()
        self.store.close()


@pytest.fixture
def rig(tmp_path):
    rig = Rig(tmp_path)
    yield rig
    rig.close()


def padded(body, size):
    """``body`` with trailing spaces up to ``size`` bytes (still the same JSON)."""
    return body + b" " * (size - len(body))


def _cases(rig):
    """(name, method, path, body bytes, headers, answered by the fast path?)."""
    token, url = rig.account.token, rig.url
    auth = {"X-Auth-Token": token, "X-Request-Id": "req-fixed-1",
            "Content-Type": "application/json"}

    def body(value):
        return json.dumps(value).encode()
    mute, unmute = body({"data": {"action": "mute"}}), body({"action": "unmute", "data": {}})
    other_url = url.replace(rig.account.account_id, rig.other.account_id)
    return [
        ("mute", "PUT", f"{url}/3", mute, auth, True),
        ("unmute, top-level action", "PUT", f"{url}/3", unmute, auth, True),
        ("Bearer token", "PUT", f"{url}/3", mute,
         {"Authorization": f"Bearer {token}", "X-Request-Id": "req-fixed-2"}, True),
        ("no X-Request-Id: a new one", "PUT", f"{url}/3", mute, {"X-Auth-Token": token}, True),
        ("/v1 alias", "PUT", f"{url}/3".replace("/v2/", "/v1/"), mute, auth, True),
        ("usage text is a 422", "PUT", f"{url}/4", body({"action": "energy",
                                                          "data": {"level": 300}}), auth, True),
        ("-ERR is a 422", "PUT", f"{url}/5", mute, auth, True),
        ("no reply in time is a failure", "PUT", f"{url}/6", mute, auth, True),
        ("unknown action: 400 after parsing", "PUT", f"{url}/3",
         body({"action": "frobnicate", "data": {}}), auth, True),
        ("bad dtmf digits", "PUT", f"{url}/3", body({"action": "dtmf",
                                                     "data": {"digits": "1;x"}}), auth, True),
        ("extra top-level key", "PUT", f"{url}/3", body({"action": "mute", "data": {},
                                                         "oops": 1}), auth, True),
        ("participant id not a member id", "PUT", f"{url}/abc", mute, auth, True),
        ("malformed JSON", "PUT", f"{url}/3", b"{not json", auth, False),
        ("JSON array", "PUT", f"{url}/3", b"[1, 2]", auth, False),
        ("empty body", "PUT", f"{url}/3", b"", auth, False),
        ("body of exactly the limit", "PUT", f"{url}/3", padded(mute, 4096), auth, True),
        ("one byte over the limit", "PUT", f"{url}/3", padded(mute, 4097), auth, False),
        ("body over the limit", "PUT", f"{url}/3",
         body({"action": "mute", "data": {"x": "y" * 5000}}), auth, False),
        ("no token", "PUT", f"{url}/3", mute, {"X-Request-Id": "req-fixed-3"}, False),
        ("forged token", "PUT", f"{url}/3", mute,
         {"X-Auth-Token": token[:-4] + "AAAA", "X-Request-Id": "req-fixed-4"}, False),
        ("another account's room", "PUT", f"{other_url}/3", mute, auth, False),
        ("another account's token", "PUT", f"{url}/3", mute,
         {"X-Auth-Token": rig.other.token, "X-Request-Id": "req-fixed-5"}, False),
        ("trailing slash", "PUT", f"{url}/3/", mute, auth, False),
        ("non-ASCII participant id", "PUT", f"{url}/%C3%A9", mute, auth, False),
        ("GET is not an action", "GET", f"{url}/3", None, auth, False),
    ]


def _script(rig):
    room = rig.room
    rig.server.api.update({f"conference {room} mute 3": b"+OK mute 3\n",
                           f"conference {room} unmute 3": b"+OK unmute 3\n",
                           f"conference {room} energy 4 300": USAGE,
                           f"conference {room} mute 5": b"-ERR Conference busy\n",
                           f"conference {room} mute 6": b"+OK mute 6\n",
                           f"conference {room} json_list": b"[]"})
    rig.server.delays[f"conference {room} mute 6"] = 2.0


def test_every_case_answers_the_same_with_and_without_the_fast_path(rig):
    _script(rig)
    for name, method, path, body, headers, fast in _cases(rig):
        answers = {which: rig.send(which, method, path, body, headers) for which in rig.apps}
        (fast_answer, fast_commands, fast_flask), (flask_answer, flask_commands, _) = (
            answers["fast"], answers["flask"])
        if "X-Request-Id" not in headers:          # a fresh id each time: its shape only
            for answer in (fast_answer, flask_answer):
                rid = answer["body"].pop("request_id")
                assert len(rid) == 32 and int(rid, 16) >= 0, rid
                answer["headers"] = [h for h in answer["headers"] if h[0] != "X-Request-Id"]
        assert fast_answer == flask_answer, name
        assert fast_commands == flask_commands, name
        assert fast_flask is (not fast), f"{name}: answered by {'Flask' if fast_flask else 'fast'}"


def test_the_answers_are_the_routes(rig):
    """Not only equal: the fast path's answers are the route's contract."""
    _script(rig)
    auth = {"X-Auth-Token": rig.account.token, "Content-Type": "application/json"}
    answer, commands, flask = rig.send("fast", "PUT", f"{rig.url}/3",
                                       b'{"data": {"action": "mute"}}', auth)
    assert not flask and commands[-1] == f"api conference {rig.room} mute 3"
    assert answer["status"] == "202 ACCEPTED"
    assert answer["body"]["data"] == "+OK mute 3" and answer["body"]["status"] == "success"
    assert answer["body"]["auth_token"] == rig.account.token
    headers = dict(answer["headers"])
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    refused, _, _ = rig.send("fast", "PUT", f"{rig.url}/5", b'{"action": "mute"}', auth)
    assert refused["status"] == "422 UNPROCESSABLE ENTITY"
    assert refused["body"]["message"] == "-ERR Conference busy"
    assert refused["body"]["data"]["command"] == f"conference {rig.room} mute 5"


def test_command_id_replays_the_same_way(rig):
    _script(rig)
    auth = {"X-Auth-Token": rig.account.token, "X-Request-Id": "req-cmd"}
    for which in rig.apps:
        body = json.dumps({"action": "mute", "data": {}, "command_id": f"cmd-{which}"}).encode()
        first, first_commands, _ = rig.send(which, "PUT", f"{rig.url}/3", body, auth)
        again, again_commands, flask = rig.send(which, "PUT", f"{rig.url}/3", body, auth)
        assert first["status"] == again["status"] == "202 ACCEPTED", which
        assert first_commands[-1].endswith(" mute 3") and again_commands == [], which
        assert ("X-Command-Replayed", "true") in again["headers"], which
        assert flask is (which == "flask")
    changed = json.dumps({"action": "unmute", "data": {}, "command_id": "cmd-fast"}).encode()
    reused = {which: rig.send(which, "PUT", f"{rig.url}/3", changed, auth)[0]
              for which in rig.apps}
    assert reused["fast"]["status"] == reused["flask"]["status"] == "400 BAD REQUEST"
    assert reused["fast"]["body"]["message"] == reused["flask"]["body"]["message"]


@pytest.mark.parametrize("error, status, extra", [
    (RuntimeError("boom"), "500 INTERNAL SERVER ERROR", None),
    (TooManyAttempts(7), "429 TOO MANY REQUESTS", ("Retry-After", "7")),
])
def test_other_errors_answer_the_same(rig, monkeypatch, error, status, extra):
    _script(rig)

    def broken(*args):
        raise error
    monkeypatch.setattr("crossbar.participants.service.participant_action", broken)
    auth = {"X-Auth-Token": rig.account.token, "X-Request-Id": "req-err"}
    answers = [rig.send(which, "PUT", f"{rig.url}/3", b'{"action": "mute"}', auth)
               for which in rig.apps]
    assert answers[0][0] == answers[1][0]
    assert answers[0][0]["status"] == status and answers[0][2] is False
    assert extra is None or extra in answers[0][0]["headers"]


def test_the_access_log_line_is_the_same(rig, caplog):
    _script(rig)
    auth = {"X-Auth-Token": rig.account.token, "X-Request-Id": "req-log"}
    lines = {}
    for which in rig.apps:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="crossbar.app"):
            rig.send(which, "PUT", f"{rig.url}/3".replace("/v2/", "/v1/"),
                     b'{"action": "mute"}', auth)
        [record] = [r for r in caplog.records if r.getMessage() == "request"]
        lines[which] = {key: getattr(record, key) for key in
                        ("request_id", "method", "path", "status", "account_id")}
        assert 0 <= record.ms < 5000, record.ms
    assert lines["fast"] == lines["flask"]
    assert lines["fast"] == {"request_id": "req-log", "method": "PUT", "path": f"{rig.url}/3",
                             "status": 202, "account_id": rig.account.account_id}


def test_metrics_count_the_same(rig):
    _script(rig)
    for name, method, path, body, headers, fast in _cases(rig):
        if "no reply" not in name:
            for which in rig.apps:
                rig.send(which, method, path, body, headers)
    counts = {}
    for which, app in rig.apps.items():
        stats = app.extensions[STATS_KEY]
        requests = {key: sum(value["buckets"])
                    for key, value in stats.requests.snapshot().items() if "/participants" in key}
        counts[which] = (requests, stats.actions.snapshot())
    assert counts["fast"] == counts["flask"]
    for key, series in rig.apps["fast"].extensions[STATS_KEY].requests.snapshot().items():
        assert 0 < series["sum"] < sum(series["buckets"]) * 1.0, key   # seconds per answer
    route = "/v2/accounts/<account_id>/conferences/<conference_id>/participants/<participant_id>"
    assert counts["fast"][0]["\t".join(("PUT", route, "202"))] >= 5
    assert counts["fast"][1]["mute\tok"] >= 4
    assert counts["fast"][1]["(invalid)\tinvalid"] >= 3

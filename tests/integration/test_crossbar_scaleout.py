"""Two ``kz-crossbar`` processes behind a round-robin proxy (tests/support/lb.py),
on one CouchDB-API store of their own and two simulated FreeSWITCH nodes: what
must be shared lives in the store, so whichever process a request reaches:

- tenant isolation holds on every account path (the in-process suite's checks,
  over the network through the proxy);
- a ``command_id`` repeated on the other process is answered from the first;
- the room cache stays a hint: a room that moved node is commanded there by
  both processes;
- a media link signed by one process plays from the other;
- the login throttle counts the failures made on both processes.
"""
import io
import re
import time
import uuid
import wave

import pytest
import requests

from crossbar.bootstrap import bootstrap
from crossbar.cli import close_app, make_app
from fssim import Simulator
from kzcore.config import load_config
from kzcore.naming import fs_conference_name
from kzcore.store.couch import CouchStore
from tests.integration.test_api_isolation import (LIVE_ENDPOINTS, _account_routes, _fill,
                                                  _request, _seed, _snapshot)
from tests.support.couch import stop_process
from tests.support.crossbar_procs import CrossbarProcess, HttpApi, start_pouchdb
from tests.support.lb import RoundRobinProxy

pytestmark = [pytest.mark.slow, pytest.mark.couch, pytest.mark.timeout(180)]
SECRET = "scaleout-shared-token-secret"
MAX_FAILURES = 4
SYNC = 0.2


class Cluster:
    def __init__(self, api, proxy, processes, sims, couch, store):
        self.api, self.proxy, self.processes = api, proxy, processes
        self.sims, self.couch, self.store = sims, couch, store
        self.root = self.alpha = self.beta = None

    def settings(self):
        return self.processes[0].env

    def account(self, name, parent_token, parent_id):
        reply = self.api.call("PUT", f"/v2/accounts/{parent_id}", {"name": name},
                              token=parent_token)
        assert reply.status_code == 201, reply.body
        account_id = reply.body["data"]["id"]
        key = self.api.call("GET", f"/v2/accounts/{account_id}/api_key",
                            token=parent_token).body["data"]["api_key"]
        return Account(account_id, key, self.api_auth(key), name)

    def api_auth(self, key):
        reply = self.api.call("PUT", "/v2/api_auth", {"api_key": key})
        assert reply.status_code == 201, reply.body
        return reply.body["auth_token"]

    def served(self):
        return list(self.proxy.served)


class Account:
    def __init__(self, account_id, api_key, token, name):
        self.account_id, self.api_key, self.token, self.name = account_id, api_key, token, name


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("scaleout")
    couch, couch_process = start_pouchdb(workdir)
    sims = [Simulator(port=0, hostname=name, recordings_dir=str(workdir / name))
            for name in ("fs-a", "fs-b")]
    for sim in sims:
        sim.start()
    nodes = ",".join(f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon" for sim in sims)
    processes = [CrossbarProcess(workdir / f"crossbar-{n}.log") for n in range(2)]
    proxy = RoundRobinProxy([("127.0.0.1", p.port) for p in processes]).start()
    settings = dict(store="couchdb", couch_url=couch, token_secret=SECRET, esl_nodes=nodes,
                    esl_timeout=2, amqp_url="memory://", public_url=proxy.url(),
                    room_cache_ttl=600, login_max_failures=MAX_FAILURES,
                    login_max_failures_per_address=1000, login_lockout=30,
                    login_sync_interval=SYNC, command_id_wait=5, log_level="WARNING",
                    recordings_dir=str(workdir / "recordings"))
    for process in processes:
        process.env.update({f"KZ_{k.upper()}": str(v) for k, v in settings.items()})
    store = CouchStore(couch)
    try:
        processes[0].start()          # loads the schemas first
        processes[1].start()
        made = Cluster(HttpApi(proxy.url(), store), proxy, processes, sims, couch, store)
        admin = bootstrap(store, account_name="Scale Root", realm="scale.test",
                          username="admin", password="pw-scale-root")
        made.root = Account(admin["account_id"], admin["api_key"],
                            made.api_auth(admin["api_key"]), "Scale Root")
        made.alpha = made.account("Alpha Scale", made.root.token, made.root.account_id)
        made.beta = made.account("Beta Scale", made.root.token, made.root.account_id)
        yield made
    finally:
        for process in processes:
            process.stop()
        proxy.cut()
        for sim in sims:
            sim.stop()
        store.close()
        stop_process(couch_process)


@pytest.fixture(scope="module")
def routes(cluster):
    """The app's account routes, from an app built as the processes build theirs."""
    env = {k: v for k, v in cluster.settings().items() if k.startswith("KZ_")}
    app = make_app(load_config(env=env))
    try:
        yield list(_account_routes(app))
    finally:
        close_app(app)


def test_isolation_holds_on_every_account_path_through_both_processes(cluster, routes):
    alpha, beta = cluster.alpha, cluster.beta
    beta_ids = _seed(cluster.api, beta)
    before = _snapshot(cluster.store, beta.account_id)
    served = cluster.served()
    checked = 0
    for rule, method in routes:
        path = _fill(rule, beta.account_id, beta_ids)
        reply = _request(cluster.api, method, path, alpha.token, rule.endpoint)
        assert reply.status_code in (403, 404), (method, path, reply.status_code)
        assert reply.get_json()["status"] == "error"
        own = _fill(rule, alpha.account_id, beta_ids)   # B's ids under A's own account
        if "<doc_id>" in rule.rule or "<conference_id>" in rule.rule:
            reply = _request(cluster.api, method, own, alpha.token, rule.endpoint)
            allowed = (404, 409) if rule.endpoint.rsplit(".", 1)[-1] in LIVE_ENDPOINTS \
                else (404,)
            assert reply.status_code in allowed, (method, own, reply.status_code)
        checked += 1
    assert checked >= 35
    assert _snapshot(cluster.store, beta.account_id) == before
    after = cluster.served()
    assert all(b - a >= checked // 2 for a, b in zip(served, after)), (served, after)


def room_with_members(cluster, sim, *names):
    conference = cluster.api.call("PUT", f"/v2/accounts/{cluster.alpha.account_id}/conferences",
                                  {"name": f"Scale {uuid.uuid4().hex[:6]}"},
                                  token=cluster.alpha.token).body["data"]["id"]
    room = fs_conference_name(cluster.alpha.account_id, conference)
    return conference, room, [sim.join(room, f"10{n:02d}", name) for n, name in enumerate(names)]


def member_action(cluster, conference, member, action, account=None, **extra):
    account = account or cluster.alpha
    return cluster.api.call(
        "PUT", f"/v2/accounts/{account.account_id}/conferences/{conference}/participants/"
        f"{member.id}", body={"data": {"action": action, "data": {}, **extra}},
        token=account.token)


def test_a_command_id_repeated_on_the_other_process_is_replayed(cluster):
    sim = cluster.sims[0]
    conference, room, (alice,) = room_with_members(cluster, sim, "Alice")
    mark = len(sim.command_log)
    served = cluster.served()
    first = member_action(cluster, conference, alice, "mute", command_id="scale-mute-1")
    again = member_action(cluster, conference, alice, "mute", command_id="scale-mute-1")
    assert [b - a for a, b in zip(served, cluster.served())] == [1, 1]   # one on each
    assert first.status_code == again.status_code == 202, (first.body, again.body)
    assert again.headers.get("X-Command-Replayed") == "true"
    assert again.body["data"] == first.body["data"]
    sent = [c for c in sim.command_log[mark:] if c == f"conference {room} mute {alice.id}"]
    assert len(sent) == 1


def marks(cluster):
    return [len(sim.command_log) for sim in cluster.sims]


def sent_since(cluster, mark, room):
    return [[c for c in sim.command_log[start:] if room in c]
            for sim, start in zip(cluster.sims, mark)]


def test_the_room_cache_is_a_hint_in_every_process(cluster):
    node_a, node_b = cluster.sims
    conference, room, (alice,) = room_with_members(cluster, node_a, "Alice")
    for _ in range(2):                     # each process finds the room once: on node A
        assert member_action(cluster, conference, alice, "mute").status_code == 202
    warm = marks(cluster)
    for _ in range(2):                     # ... and remembers it: no lookup, node A only
        assert member_action(cluster, conference, alice, "unmute").status_code == 202
    assert sent_since(cluster, warm, room) == [[f"conference {room} unmute {alice.id}"] * 2, []]

    node_a.api(f"conference {room} kick all")         # the room ends on node A ...
    deadline = time.monotonic() + 5
    while node_a.json_list(room):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    bob = node_b.join(room, "1002", "Bob")             # ... and starts on node B
    for verb in ("mute", "unmute"):                    # one request on each process
        reply = member_action(cluster, conference, bob, verb)
        assert reply.status_code == 202, reply.body
        assert reply.body["data"] == f"+OK {verb} {bob.id}"
    mark = marks(cluster)
    reply = member_action(cluster, conference, bob, "mute", account=cluster.beta)
    assert reply.status_code in (403, 404)             # the other account never gets there
    assert sent_since(cluster, mark, room) == [[], []]


def one_second_wav():
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setparams((1, 2, 8000, 8000, "NONE", ""))
        out.writeframes(bytes(16000))
    return buffer.getvalue()


def test_a_media_link_signed_by_one_process_plays_from_the_other(cluster):
    base = f"/v2/accounts/{cluster.alpha.account_id}/media"
    media = cluster.api.call("PUT", base, {"name": "Scale tone"},
                             token=cluster.alpha.token).body["data"]["id"]
    wav = one_second_wav()
    uploaded = cluster.api.client.put(f"{base}/{media}/raw", data=wav, content_type="audio/wav",
                                      headers={"X-Auth-Token": cluster.alpha.token})
    assert uploaded.status_code == 200
    node_a = cluster.sims[0]
    conference, room, _ = room_with_members(cluster, node_a, "Alice")
    mark = len(node_a.command_log)
    signer, other = cluster.processes
    played = requests.put(f"{signer.url}/v2/accounts/{cluster.alpha.account_id}/conferences/"
                          f"{conference}", json={"action": "play", "data": {"media_id": media}},
                          headers={"X-Auth-Token": cluster.alpha.token}, timeout=15)
    assert played.status_code == 202, played.text
    command = next(c for c in node_a.command_log[mark:] if "/v2/live_media/" in c)
    link = re.search(r"/v2/live_media/[^ ]+", command).group(0)
    reply = requests.get(other.url + link, timeout=5)   # signed by one, served by the other
    assert reply.status_code == 200 and reply.content == wav
    forged = link.replace(f"{media}.", f"{uuid.uuid4().hex}.")
    assert requests.get(other.url + forged, timeout=5).status_code == 404


def test_a_sign_out_on_one_process_holds_on_the_other_within_the_cache_ttl(cluster):
    """Revocation is read from the store and cached per process for at most
    0.5 s (kzcore.principals.CACHE_TTL): bounded staleness across processes."""
    from kzcore.principals import CACHE_TTL
    gamma = cluster.account("Gamma Scale", cluster.root.token, cluster.root.account_id)
    one, other = cluster.processes
    path = f"/v2/accounts/{gamma.account_id}"
    headers = {"X-Auth-Token": gamma.token}
    assert requests.get(other.url + path, headers=headers, timeout=5).status_code == 200
    signed_out = requests.delete(f"{one.url}{path}/user_auth", headers=headers, timeout=5)
    assert signed_out.status_code == 200, signed_out.text
    started = time.monotonic()
    while True:                                  # the other process still had it cached
        reply = requests.get(other.url + path, headers=headers, timeout=5)
        if reply.status_code == 401:
            break
        assert reply.status_code == 200
        assert time.monotonic() - started < CACHE_TTL + 1.0, "revocation not seen in time"
        time.sleep(0.05)
    assert reply.json()["error_id"] == "token_revoked"


def test_the_login_throttle_counts_failures_made_on_both_processes(cluster):
    login = {"credentials": "0" * 32, "account_name": cluster.alpha.name}
    served = cluster.served()
    statuses = [cluster.api.call("PUT", "/v2/user_auth", login).status_code
                for _ in range(MAX_FAILURES)]
    assert statuses == [401] * MAX_FAILURES
    split = [b - a for a, b in zip(served, cluster.served())]
    assert split == [MAX_FAILURES // 2] * 2         # each process saw half: under its limit
    time.sleep(3 * SYNC)                            # both have written and read the counts
    for _ in range(2):                              # now locked on both
        reply = cluster.api.call("PUT", "/v2/user_auth", login)
        assert reply.status_code == 429, reply.body
        assert int(reply.headers["Retry-After"]) > 20

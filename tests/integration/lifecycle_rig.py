"""The lifecycle's real parts, wired as production wires them, for the
test_lifecycle_* modules: the simulator over TCP ESL; ecallmgr publishing to a
fresh exchange on the real RabbitMQ; the lifecycle service on its leased durable
queue of that exchange, with its own ESL connections; crossbar's API (live
control on its own ESL pool) on an embedded store shared with the service.

Every check reads the switch over a fresh ESL connection (``wire_room``) or the
events on the broker (``tap``), never the API's own view, unless the API's view
is what the test is about.
"""
import dataclasses
import json
import time

import pytest

from crossbar.live import LiveConferences, create_blueprint
from crossbar.live.compose import COMMAND_EVENTS
from ecallmgr.daemon import create_daemon
from fssim.dialplan import park_extension
from kzcore.bus.pika_publisher import PikaPublisher
from kzcore.config import load_config
from kzcore.esl.pool import EslPool
from kzcore.naming import fs_conference_name
from kzcore.store.embedded import EmbeddedStore
from lifecycle.compose import build_service, command_pool
from lifecycle.source import LeasedQueue
from tests.support.api import build_app
from tests.support.rabbit import RabbitTap, delete_queues, unique_name
from tests.support.sim import sim_api
from tests.support.waiting import wait_for  # noqa: F401 (the test_lifecycle_* modules' wait)

FAST = dict(lifecycle_retry=1.0, lifecycle_sweep_interval=0.0, lifecycle_gone_grace=1.0,
            lifecycle_lease_poll=0.2, esl_timeout=2.0)




@dataclasses.dataclass
class LifecycleRig:
    sim: object
    config: object
    store: object
    api: object           # tests.support.api.ApiHarness (crossbar)
    live: object
    amqp_url: str
    exchange: str
    queue: str
    alpha: object
    beta: object
    parts: dict

    # --- the switch, over ESL ------------------------------------------------------
    def room_name(self, conference_id, account=None):
        return fs_conference_name((account or self.alpha).account_id, conference_id)

    def wire_room(self, conference_id, account=None):
        reply = sim_api(self.sim, f"conference {self.room_name(conference_id, account)} json_list")
        rooms = [] if reply.startswith("-ERR") else json.loads(reply)
        return rooms[0] if rooms else None

    def wire_callers(self, conference_id):
        room = self.wire_room(conference_id) or {"members": []}
        return {m["uuid"]: m for m in room["members"] if m.get("type") == "caller"}

    def join(self, conference_id, number, name="Caller", moderator=False, flags=()):
        """A caller dials in (``sim_join`` over ESL): ``(member_id, call uuid)``."""
        words = [f"sim_join {self.room_name(conference_id)} {number}"]
        if moderator:
            words.append("moderator=true")
        if flags:
            words.append("flags=" + "|".join(flags))
        reply = sim_api(self.sim, " ".join(words + [name]))
        assert reply.startswith("+OK"), reply
        _, member_id, uuid = reply.split()
        return int(member_id), uuid

    def hang_up(self, uuid):
        assert sim_api(self.sim, f"sim_hangup {uuid}").startswith("+OK")

    def call_alive(self, uuid):
        return sim_api(self.sim, f"uuid_exists {uuid}").strip() == "true"

    # --- the API -------------------------------------------------------------------
    def create(self, account=None, **fields):
        account = account or self.alpha
        reply = self.api.call("PUT", f"/v2/accounts/{account.account_id}/conferences",
                              {"name": "Room", **fields}, token=account.token)
        assert reply.status_code == 201, reply.get_json()
        return reply.get_json()["data"]["id"]

    def dialplan_numbers(self, numbers, account=None):
        """Numbers the product sends to the switch's dialplan, where the simulator's
        extensions answer them: numbers that are not ours go through carriers
        (crossbar.live.carrier_routing), so a conference claims them (once)."""
        claimed = self.__dict__.setdefault("_claimed", set())
        wanted = sorted(set(map(str, numbers)) - claimed)
        if wanted:
            self.create(account, name="Far ends", conference_numbers=wanted)
            claimed.update(wanted)

    def url(self, conference_id, tail="", account=None):
        return f"/v2/accounts/{(account or self.alpha).account_id}/conferences/{conference_id}{tail}"

    def call(self, method, conference_id, tail="", account=None, **kwargs):
        account = account or self.alpha
        return self.api.call(method, self.url(conference_id, tail, account), token=account.token,
                             **kwargs)

    def action(self, conference_id, action, data=None, account=None):
        return self.call("PUT", conference_id, account=account,
                         body={"action": action, "data": data or {}})

    def read_only(self, conference_id):
        reply = self.call("GET", conference_id)
        assert reply.status_code == 200, reply.get_json()
        return reply.get_json()["data"]["_read_only"]

    # --- the bus -------------------------------------------------------------------
    def tap(self, conference_id):
        tap = RabbitTap(self.amqp_url, f"conference.event.{conference_id}.#", self.exchange)
        self.parts.setdefault("taps", []).append(tap)
        return tap

    # --- services ------------------------------------------------------------------
    def start_lifecycle(self, name="lifecycle", wait_active=True):
        pool = command_pool(self.config)
        source = LeasedQueue(self.amqp_url, queue=self.queue, exchange=self.exchange,
                             poll=self.config.lifecycle_lease_poll,
                             queue_type=self.config.lifecycle_queue_type,
                             connection_name=unique_name("kz-test-lifecycle"))
        service = build_service(self.config, store=self.store, source=source, pool=pool).start()
        self.parts[name] = (service, pool)
        if wait_active:
            wait_for(lambda: service.active, timeout=10,
                     message="the lifecycle service did not take its lease")
        return service

    def stop_lifecycle(self, name="lifecycle"):
        service, pool = self.parts.pop(name)
        service.stop()
        pool.close()

    def start_ecallmgr(self):
        publisher = PikaPublisher(self.amqp_url, exchange=self.exchange,
                                  connection_name=unique_name("kz-test-ecallmgr"))
        assert publisher.wait_connected(5)
        daemon = create_daemon(self.config, publisher=publisher).start()
        wait_for(lambda: daemon.stream.counts["resyncs"] >= 1)
        self.parts["ecallmgr"] = (daemon, publisher)
        return daemon

    def stop_ecallmgr(self):
        daemon, publisher = self.parts.pop("ecallmgr")
        daemon.stop(flush_timeout=2)
        publisher.close(timeout=2)

    def teardown(self):
        for tap in self.parts.pop("taps", []):
            tap.close()
        for name in [n for n in self.parts if n.startswith("lifecycle")]:
            self.stop_lifecycle(name)
        if "ecallmgr" in self.parts:
            self.stop_ecallmgr()
        self.live.close()
        self.parts.pop("crossbar_pool").close()
        delete_queues(self.amqp_url, self.queue)


def make_rig(sim, amqp_url, exchange, **overrides):
    sim.core.dialplan.add(r"^555\d+$", park_extension)     # numbers answer and stay
    settings = dict(FAST, esl_nodes=f"{sim.node_name}=127.0.0.1:{sim.port}:ClueCon",
                    amqp_url=amqp_url, token_secret="lifecycle-test-secret",
                    public_url="http://127.0.0.1:9", node_name="lifecycle@test")
    settings.update(overrides)
    config = load_config(env={}, **settings)
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS).start()
    assert pool.wait_connected(5.0)
    store = EmbeddedStore(":memory:")
    live = LiveConferences(pool, store, config)
    api = build_app(store=store, live=live, extra_blueprints=[create_blueprint()], **settings)
    alpha, beta = api.create_sibling_pair()
    rig = LifecycleRig(sim, config, store, api, live, amqp_url, exchange,
                       unique_name("kz-test-lifecycle-q"), alpha, beta,
                       {"crossbar_pool": pool})
    rig.start_ecallmgr()
    return rig


@pytest.fixture
def lifecycle_rig(fssim, amqp_url, temp_exchange):
    """``lifecycle_rig(**config)`` -> a started LifecycleRig (lifecycle service running)."""
    made = []

    def make(**overrides):
        rig = make_rig(fssim, amqp_url, temp_exchange, **overrides)
        made.append(rig)
        rig.start_lifecycle()
        return rig

    yield make
    for rig in made:
        rig.teardown()


def events_of(tap, until, timeout=20.0):
    """Messages read from ``tap`` until ``until(payloads)`` holds (payloads in order)."""
    got = []
    deadline = time.monotonic() + timeout
    while not until([payload for _, payload, _ in got]):
        if time.monotonic() > deadline:
            raise AssertionError(f"events never came: {[p['event'] for _, p, _ in got]}")
        got += tap.read(1000, timeout=0.2)
    return [payload for _, payload, _ in got]


def named(payloads, name):
    return [p for p in payloads if p.get("event") == name]

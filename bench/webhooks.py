"""Webhook delivery benchmark: RabbitMQ -> kz-webhooks -> a local receiver.

Three processes besides the broker: ``kz-webhooks`` (as deployed: its own
process, its durable queue, an embedded store file), the receiver
(bench/webhooks_receiver.py, answers 204) and this one, which creates 1, 10 or
100 webhooks (all ``participant`` hooks of one account, to the same receiver)
and publishes ecallmgr-shaped events over 20 conferences.

Per step: **throughput**: a burst of events, timed from the first publication
to the last delivery (deliveries/s, kz-webhooks CPU per delivery from /proc);
**latency**: events published at half that rate, p50/p99 from publication to
receipt (same clock). The baseline is a plain loop of HTTP POSTs (urllib3,
one keep-alive connection) of the same signed bodies to the same receiver.

    python bench/webhooks.py [--deliveries 6000] [--webhooks 1,10,100] [--append-results]
"""
from gevent import monkey

monkey.patch_all()    # the publisher's greenlet must run while this process sleeps

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402

# This file's name is the package's: the package must win ``import webhooks``,
# so bench/ (the script's own directory) goes behind the repository.
BENCH = pathlib.Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path
                                     if pathlib.Path(p or ".").resolve() != BENCH] + [str(BENCH)]
from events_support import REPO, cpu_seconds, free_port, percentile, spawn  # noqa: E402
from webhooks_report import report  # noqa: E402

import pika  # noqa: E402
import urllib3  # noqa: E402

from crossbar.bootstrap import bootstrap  # noqa: E402
from kzcore import webhook_docs  # noqa: E402
from kzcore.bus.keys import participant_routing_key  # noqa: E402
from kzcore.bus.pika_publisher import PikaPublisher  # noqa: E402
from kzcore.naming import account_db  # noqa: E402
from kzcore.schemas.loader import load_schemas  # noqa: E402
from kzcore.store.embedded import EmbeddedStore  # noqa: E402
from webhooks.body import build_body, request_headers  # noqa: E402
from webhooks.directory import Webhook  # noqa: E402
from webhooks.hooks import HookEvent  # noqa: E402

AMQP_URL = os.environ.get("KZ_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
CONFERENCES = 20


def event(account_id, n):
    conference_id = f"bench-room-{n % CONFERENCES}"
    call_id = f"call-{n}"
    payload = {"event": "mute-member" if n % 2 else "unmute-member", "account_id": account_id,
               "conference_id": conference_id, "call_id": call_id, "participant_id": n,
               "caller_id_name": "Bench", "caller_id_number": "1000", "msg_id": uuid.uuid4().hex,
               "event_name": "participant_event", "event_category": "conference",
               "app_name": "ecallmgr", "app_version": "0.1.0", "node": "bench",
               "custom_channel_vars": {"account_id": account_id}, "speak": n % 2 == 0,
               "hear": True, "talking": False, "instance_id": "bench-instance"}
    return participant_routing_key(conference_id, call_id), payload


def create_webhooks(store, account_id, count, url):
    db = account_db(account_id)
    for doc in store.find(db, {"pvt_type": webhook_docs.WEBHOOK_TYPE}):
        store.delete(db, doc["_id"], doc["_rev"])
    for n in range(count):
        store.save(db, {"_id": uuid.uuid4().hex, "pvt_type": webhook_docs.WEBHOOK_TYPE,
                        "name": f"bench {n}", "uri": url, "hook": "participant", "enabled": True,
                        "http_verb": "post", "retries": 2, "custom_data": {"n": str(n)},
                        webhook_docs.SECRET_FIELD: webhook_docs.new_secret()})


def receiver(port, path="stats"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=10) as reply:
        return json.loads(reply.read())


def wait_count(port, expected, timeout):
    """The receiver's figures once ``expected`` deliveries arrived (or at the timeout)."""
    deadline = time.monotonic() + timeout
    stats = receiver(port)
    while time.monotonic() < deadline and stats["count"] < expected:
        time.sleep(0.02)
        stats = receiver(port)
    return stats


def publish(publisher, account_id, count, rate=None):
    start = time.time()
    for n in range(count):
        if rate:
            pause = start + n / rate - time.time()
            if pause > 0:
                time.sleep(pause)
        key, payload = event(account_id, n)
        payload["bench_published_at"] = time.time()
        publisher.publish(key, payload)
    publisher.flush(30)


def step(ctx, hooks, deliveries):
    create_webhooks(ctx["store"], ctx["account"], hooks, ctx["hook_url"])
    time.sleep(ctx["cache_ttl"] + 0.2)                 # the service sees the new list
    events = max(1, deliveries // hooks)
    receiver(ctx["port"], "reset")
    cpu0, started = cpu_seconds(ctx["service"].pid), time.time()
    publish(ctx["publisher"], ctx["account"], events)
    burst = wait_count(ctx["port"], events * hooks, timeout=300)
    elapsed, cpu = time.time() - started, cpu_seconds(ctx["service"].pid) - cpu0
    rate = burst["count"] / elapsed
    paced = max(1, events // 2)
    receiver(ctx["port"], "reset")
    publish(ctx["publisher"], ctx["account"], paced, rate=rate / hooks * 0.5)
    latency = wait_count(ctx["port"], paced * hooks, timeout=120)
    return {"webhooks": hooks, "events": events, "deliveries": burst["count"],
            "seconds": elapsed, "per_second": rate, "cpu_ms": cpu * 1000 / max(burst["count"], 1),
            "violations": burst["violations"] + latency["violations"],
            "burst_p50_ms": burst["p50_ms"], "burst_p99_ms": burst["p99_ms"],
            "p50_ms": latency["p50_ms"], "p99_ms": latency["p99_ms"],
            "paced_rate": rate * 0.5, "paced_deliveries": latency["count"]}


def baseline(ctx, count):
    """A plain loop of POSTs of the same signed bodies over one keep-alive connection."""
    hook = Webhook("bench", ctx["account"], "", "bench", ctx["hook_url"], "post", "participant",
                   True, False, 2, webhook_docs.new_secret(), {"n": "0"})
    bodies = []
    for n in range(count):
        body = build_body(event(ctx["account"], n)[1], hook, HookEvent("participant.muted", {}),
                          n + 1)
        bodies.append((body, request_headers(hook, "participant.muted", "m", n + 1, 1, body)))
    pool = urllib3.HTTPConnectionPool("127.0.0.1", ctx["port"], maxsize=1, retries=False)
    times, cpu0, started = [], time.process_time(), time.time()
    for body, headers in bodies:
        sent = time.perf_counter()
        reply = pool.urlopen("POST", "/plain", body=body, headers={
            "Content-Type": "application/json", **headers})
        assert reply.status == 204
        times.append(time.perf_counter() - sent)
    elapsed = time.time() - started
    return {"count": count, "per_second": count / elapsed,
            "cpu_ms": (time.process_time() - cpu0) * 1000 / count,
            "p50_ms": percentile(times, 0.5) * 1000, "p99_ms": percentile(times, 0.99) * 1000}


def start(tmp, queue, exchange, port):
    store_path = str(tmp / "store.sqlite3")
    store = EmbeddedStore(store_path)
    load_schemas(store)
    admin = bootstrap(store, account_name="Bench", realm="bench.local", username="bench",
                      password="bench-pass")
    receiver_process = spawn([sys.executable, "bench/webhooks_receiver.py", str(port)],
                             dict(os.environ))
    env = dict(os.environ, KZ_AMQP_URL=AMQP_URL, KZ_STORE="embedded", KZ_STORE_PATH=store_path,
               KZ_WEBHOOKS_QUEUE=queue, KZ_WEBHOOKS_ALLOW_NETWORKS="127.0.0.0/8",
               KZ_WEBHOOKS_CACHE_TTL="1.0", KZ_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    service = spawn([sys.executable, "-m", "webhooks.cli", "--exchange", exchange], env)
    return store, admin, receiver_process, service


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=6000)
    parser.add_argument("--webhooks", default="1,10,100")
    parser.add_argument("--append-results", action="store_true")
    args = parser.parse_args(argv)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="kz-bench-webhooks-"))
    run = uuid.uuid4().hex[:8]
    queue, exchange = f"kz-bench-webhooks-{run}", f"kz-bench-x-{run}"
    port = free_port()
    store, admin, receiver_process, service = start(tmp, queue, exchange, port)
    ctx = {"store": store, "account": admin["account_id"], "port": port, "service": service,
           "hook_url": f"http://127.0.0.1:{port}/hook", "cache_ttl": 1.0,
           "publisher": PikaPublisher(AMQP_URL, exchange=exchange, connection_name="kz-bench")}
    try:
        _wait_consumer(queue)
        _wait_receiver(port)
        steps = [step(ctx, int(n), args.deliveries) for n in args.webhooks.split(",")]
        plain = baseline(ctx, min(args.deliveries, 3000))
    finally:
        for process in (service, receiver_process):
            process.terminate()
        ctx["publisher"].close()
        _cleanup(queue, exchange)
    text = report(steps, plain, sys.argv[1:])
    print(text)
    if args.append_results:
        with open(REPO / "bench" / "RESULTS.md", "a", encoding="utf-8") as handle:
            handle.write("\n" + text)


def _wait_receiver(port, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return receiver(port, "reset")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _wait_consumer(queue, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
        try:
            if connection.channel().queue_declare(queue, passive=True).method.consumer_count:
                return
        except pika.exceptions.ChannelClosedByBroker:
            pass
        finally:
            if connection.is_open:
                connection.close()
        time.sleep(0.2)
    raise SystemExit("kz-webhooks did not start consuming")


def _cleanup(queue, exchange):
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_delete(queue)
    channel.exchange_delete(exchange)
    connection.close()


if __name__ == "__main__":
    main()

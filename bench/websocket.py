"""Websocket fan-out benchmark: N websocket subscribers on one conference vs a plain AMQP consumer.

Per rate (default 100, 250, 500, 1,000 events/s, 15 s each) it starts, in
separate processes so that each one's CPU time is its own:

- the gateway, ``python -m blackhole.cli`` (one AMQP consumer for all sockets);
- the N subscribers in ONE client process: raw sockets on one epoll loop
  (bench/ws_pyclients.py, the default) or Node's built-in WebSocket
  (bench/ws_clients.js, ``--clients node``). Measured: about the same CPU per
  frame at 250 events/s, but at 1,000 events/s Node's one thread saturates
  (5.4 vs 3.3 us per frame; p50 0.76 s and drops). Each client subscribes with the
  Kazoo protocol to ``conference.event.{conference_id}.*`` with a TokenSigner
  token of the conference's account;
- a plain pika consumer bound to the same key (the baseline);
- the publisher, bench/ws_publish.py: seed-002-shaped participant events through
  ``kzcore.bus.pika_publisher.PikaPublisher`` (what ecallmgr uses) at a fixed rate.

Every event carries its send time, so both sides measure delivery latency;
lost = published - received per subscriber (after a 3 s tail). CPU seconds
come from /proc for every process, RabbitMQ and the machine as a whole.

    python bench/websocket.py                                  # 200 subscribers, 4 rates
    python bench/websocket.py --rates 1000 --duration 10 --clients node --no-record
    python bench/websocket.py --rates 1000 --no-record --profile /tmp/gw.prof  # gateway profile

Stops by itself; prints the figures and appends them (with the exact command)
to bench/RESULTS.md unless --no-record. The parts: websocket_procs.py (gateway,
clients, publisher), websocket_amqp.py (the AMQP baseline), websocket_cpu.py
(CPU from /proc), ws_report.py (figures and the RESULTS.md section).
"""
import argparse
import json
import multiprocessing
import os
import shlex
import shutil
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.websocket_amqp import amqp_consumer  # noqa: E402
from bench.websocket_cpu import cpu_snapshot, rabbitmq_pids  # noqa: E402
from bench.websocket_procs import (cleanup, free_port, health, run_publisher,  # noqa: E402
                                   seed_account, start_clients, start_gateway, stop_clients,
                                   token_for)
from bench.ws_report import record, report, summarize  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--rates", default="100,250,500,1000",
                        help="comma-separated events per second, one run each")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of publishing")
    parser.add_argument("--clients", choices=("python", "node"), default="python",
                        help="client process: Node's WebSocket or raw Python sockets")
    parser.add_argument("--queue-size", type=int, default=1000,
                        help="gateway per-session event queue (oldest dropped beyond)")
    parser.add_argument("--amqp-url", default=os.environ.get(
        "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--write-interval", type=float, default=None,
                        help="the gateway's --write-interval (default: its own)")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the gateway under cProfile, stats to FILE.<rate> (pstats)")
    args = parser.parse_args(argv)
    args.rates = [int(rate) for rate in args.rates.split(",")]
    return args


def run_rate(args, rate):
    """One rate on a fresh gateway, subscribers and baseline consumer: its summary row."""
    args.current_rate = rate
    account_id, conference_id = uuid.uuid4().hex, uuid.uuid4().hex
    port, workdir = free_port(), tempfile.mkdtemp(prefix="bench-ws-")
    binding = f"conference.event.{conference_id}.*"
    subscribe = json.dumps({"action": "subscribe", "auth_token": token_for(account_id),
                            "request_id": "b",
                            "data": {"account_id": account_id, "binding": binding}})
    results, ready, stop = multiprocessing.Queue(), multiprocessing.Queue(), multiprocessing.Event()
    seed_account(workdir, account_id)
    gateway = start_gateway(args, port, workdir)
    consumer, clients = None, None
    try:
        consumer = multiprocessing.Process(target=amqp_consumer, args=(
            args.amqp_url, binding, ready, stop, results))
        consumer.start()
        ready.get(timeout=30)
        clients = start_clients(args.clients, port, args.subscribers, subscribe)
        pids = {"gateway": [gateway.pid], "clients": [clients.pid],
                "amqp_consumer": [consumer.pid], "rabbitmq": rabbitmq_pids()}
        before = cpu_snapshot(pids)
        published = run_publisher(args, account_id, conference_id, rate)
        time.sleep(3.0)                              # let the tail arrive
        after = cpu_snapshot(pids)
        gateway_stats = dict(health(port), load=os.getloadavg())
        websocket = stop_clients(clients)
        stop.set()
        amqp = results.get(timeout=30)
    finally:
        cleanup(gateway, consumer, clients, stop)
        shutil.rmtree(workdir, ignore_errors=True)
    cpu = {role: after[role] - before[role] for role in after}  # incl. "wall" seconds
    cpu["publisher"] = published["cpu_seconds"]
    return summarize(args, rate, published, websocket, amqp, gateway_stats, cpu)


def main(argv=None):
    args = parse_args(argv)
    command = "python bench/websocket.py " + " ".join(map(shlex.quote, sys.argv[1:] if argv is None
                                                          else argv))
    rows = []
    for rate in args.rates:
        rows.append(run_rate(args, rate))
        print(json.dumps(rows[-1]), flush=True)
    text = report(args, rows)
    print(text)
    if not args.no_record:
        record(args, text, command.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The gateway's own CPU per event, without sockets, broker or clients: blackhole's
FanOut dispatching seed-002-shaped events to N subscribed sessions, and each
session's outbox taken as the pump takes it (one batch per session every
``--per-round`` events). Process CPU time, so it holds on a busy machine where
bench/websocket.py's latencies do not.

    python bench/websocket_fanout_cpu.py                      # 200 sessions, 20,000 events
    python bench/websocket_fanout_cpu.py --sessions 200 --events 20000 --per-round 5
"""
import argparse
import os
import resource
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from blackhole.fanout import FanOut  # noqa: E402
from blackhole.outbox import Outbox  # noqa: E402


class Scope:
    def allows(self, subscriber_account, event_account):
        return subscriber_account == event_account


class Session:
    def __init__(self):
        self.outbox, self.subscriptions = Outbox(1000), {}
        self.closed = False


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def event(account_id, conference_id, number):
    return {"account_id": account_id, "conference_id": conference_id,
            "event_name": "participant_event", "event": "mute-member",
            "call_id": uuid.uuid4().hex, "participant_id": number % 50 + 1,
            "caller_id_name": "Caller", "caller_id_number": "1000", "focus": "freeswitch@fs1",
            "sequence": number, "timestamp": 63900000000 + number, "pad": "x" * 800}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--per-round", type=int, default=5, help="events between two takes")
    args = parser.parse_args(argv)
    account_id, conference_id = uuid.uuid4().hex, uuid.uuid4().hex
    binding = f"conference.event.{conference_id}.*"
    woken = []
    fan = FanOut(consumer=None, scope=Scope(), wake=woken.append)
    sessions = [Session() for _ in range(args.sessions)]
    for session in sessions:
        fan.subscribe(session, binding, account_id, timeout=0)
    events = [(f"conference.event.{conference_id}.{n}", event(account_id, conference_id, n))
              for n in range(args.events)]
    written = 0
    started_cpu, started = cpu(), time.perf_counter()
    for number, (key, payload) in enumerate(events, 1):
        fan.dispatch(key, payload)
        woken.clear()
        if number % args.per_round == 0:
            for session in sessions:
                written += len(session.outbox.take())
    used, wall = cpu() - started_cpu, time.perf_counter() - started
    frames = args.events * args.sessions
    print(f"{args.events} events x {args.sessions} sessions ({frames} frames, "
          f"{written / frames:.0f} bytes each): {used / args.events * 1e6:.1f} us CPU per event, "
          f"{used / frames * 1e6:.3f} us per frame (dispatch + take; wall {wall:.2f} s)")


if __name__ == "__main__":
    main()

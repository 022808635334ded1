"""Publisher for bench/websocket.py: seed-002-shaped participant events at a fixed
rate through ``kzcore.bus.pika_publisher.PikaPublisher`` (what ecallmgr uses),
on ``conference.event.{conference_id}.{call_id}``. Its own process, so its CPU
time is its own.

    python bench/ws_publish.py URL ACCOUNT_ID CONFERENCE_ID RATE DURATION

Each event starts with ``bench_seq`` and ``bench_sent_us`` (wall-clock
microseconds, 16 digits, taken just before ``publish``): receivers read the
send time from the payload.
Prints one JSON line when done: published, seconds, the CPU seconds spent
publishing (start-up excluded), publisher stats.
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import gevent  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kzcore.bus.pika_publisher import PikaPublisher  # noqa: E402

TICK = 0.005    # seconds between publishing rounds


def seed_event(account_id, conference_id, call_id, seq):
    """A participant event as ecallmgr publishes it (seed 002), plus the bench stamp."""
    return {"bench_seq": seq, "bench_sent_us": time.time_ns() // 1000,
            "custom_channel_vars": {"account_id": account_id, "authorizing_type": "device",
                                    "presence_id": "1000@bench.example", "username": "sip1"},
            "channel_presence_id": "1000@bench.example", "caller_id_number": "sip1",
            "caller_id_name": "sip1", "mute_detect": False, "video": False,
            "energy_level": 20, "current_energy": 0, "talking": seq % 2 == 0, "speak": True,
            "hear": True, "floor": False, "participant_id": 20 + seq % 50,
            "instance_id": "d5765180-53d5-4104-860e-b352f3f8e6b1",
            "conference_id": conference_id, "focus": "freeswitch@bench", "call_id": call_id,
            "event": "start-talking" if seq % 2 == 0 else "stop-talking",
            "node": "ecallmgr@bench", "msg_id": uuid.uuid4().hex[:16],
            "event_name": "participant_event", "event_category": "conference",
            "app_version": "4.0.0", "app_name": "ecallmgr", "routing_key": "participant_event",
            "account_id": account_id}


def publish_at_rate(publisher, account_id, conference_id, rate, duration):
    """Publish ``rate`` events/s for ``duration`` s: returns (count, seconds)."""
    start, seq = time.monotonic(), 0
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= duration:
            return seq, elapsed
        due = int(elapsed * rate)
        while seq < due:
            call_id = f"call{seq % 50}"
            publisher.publish(f"conference.event.{conference_id}.{call_id}",
                              seed_event(account_id, conference_id, call_id, seq))
            seq += 1
        gevent.sleep(TICK)


def process_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv):
    url, account_id, conference_id, rate, duration = argv
    publisher = PikaPublisher(url, connection_name="bench-ws-publisher")
    if not publisher.wait_connected(10):
        raise SystemExit("ws_publish: RabbitMQ not reachable")
    cpu_before = process_cpu()
    published, seconds = publish_at_rate(publisher, account_id, conference_id,
                                         float(rate), float(duration))
    publisher.flush(timeout=10)
    cpu = process_cpu() - cpu_before
    publisher.close(timeout=10)
    print(json.dumps({"published": published, "seconds": seconds, "cpu_seconds": cpu,
                      **publisher.stats()}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The benchmark's webhook receiver (its own process): answers 204 to every
POST, and records each delivery's latency (receipt - the ``bench_published_at``
the benchmark put in the event) and whether the per-(webhook, conference)
``sequence`` went up. ``GET /stats`` reports since the last ``GET /reset``.

    python bench/webhooks_receiver.py PORT
"""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import orjson  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

STATE = {"count": 0, "latencies": [], "last": {}, "violations": 0}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None


def stats():
    latencies = STATE["latencies"]
    report = {"count": STATE["count"], "violations": STATE["violations"],
              "p50_ms": round(percentile(latencies, 0.5) * 1000, 2) if latencies else None,
              "p99_ms": round(percentile(latencies, 0.99) * 1000, 2) if latencies else None}
    return report


def record(body):
    now = time.time()
    event = orjson.loads(body)
    STATE["count"] += 1
    if "bench_published_at" in event:
        STATE["latencies"].append(now - event["bench_published_at"])
    key = (event.get("webhook_id"), event.get("conference_id"))
    if event.get("sequence", 0) <= STATE["last"].get(key, 0):
        STATE["violations"] += 1
    STATE["last"][key] = event.get("sequence", 0)


def app(environ, start_response):
    if environ["PATH_INFO"] in ("/stats", "/reset"):
        if environ["PATH_INFO"] == "/reset":
            STATE.update(count=0, latencies=[], violations=0)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(stats()).encode()]
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    if environ["PATH_INFO"] == "/hook":
        record(body)
    start_response("204 No Content", [])
    return [b""]


def main():
    server = WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None, error_log=None)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())

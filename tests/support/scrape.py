"""Reading a service's /health, /ready and /metrics over HTTP in tests."""
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.waiting import wait_for  # noqa: F401 (the tests' wait, re-exported)


def get(base, path):
    """``(status, JSON body)``."""
    reply = requests.get(base + path, timeout=5)
    return reply.status_code, reply.json()


def scrape(base):
    """``{(series name, ((label, value), ...)): value}`` from ``base/metrics``."""
    reply = requests.get(base + "/metrics", timeout=5)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(reply.text) for s in family.samples}


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def names(samples):
    return {name for name, _ in samples}


def wait_ready(base, ready, timeout=15.0):
    """Wait until ``/ready`` answers 200 (``ready``) or 503; returns its body."""
    expected = 200 if ready else 503
    return wait_for(lambda: (lambda s, b: b if s == expected else None)(*get(base, "/ready")),
                    timeout)

"""Pure and small parts of the delivery service: signatures, back-off, body,
sequences kept across instances, lanes and acknowledgements."""
import hashlib
import hmac
import random

import gevent
import orjson
import pytest

from kzcore import webhook_docs
from kzcore.store.embedded import EmbeddedStore
from kzcore.naming import account_db
from webhooks import backoff, signing
from webhooks.body import build_body, request_headers
from webhooks.directory import Webhook
from webhooks.hooks import HookEvent
from webhooks.journal import Journal
from webhooks.lanes import Completion, Lanes

ACCOUNT = "0123456789abcdef0123456789abcdef"
HOOK = Webhook(id="w1", account_id=ACCOUNT, rev="1-a", name="n", uri="http://x/", http_verb="post",
               hook="all", enabled=True, include_subaccounts=False, retries=2,
               secret="whsec_test", custom_data={"crm": "7"})


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"a":1}'
    header = signing.signature_header("s3cret", body, timestamp=1700000000)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert signing.verify("s3cret", header, body, now=1700000100)
    assert not signing.verify("s3cret", header, body + b" ", now=1700000100)      # tampered
    assert not signing.verify("other", header, body, now=1700000100)              # wrong secret
    assert not signing.verify("s3cret", header, body, now=1700000000 + 301)       # too old
    assert not signing.verify("s3cret", header.replace("t=1700000000", "t=1700000050"), body,
                              now=1700000050)                                     # re-stamped
    assert not signing.verify("s3cret", "garbage", body) and not signing.verify("s3cret", None, b"")


def test_back_off_doubles_is_capped_and_jittered_within_its_upper_half():
    rng = random.Random(7)
    assert [backoff.nominal_delay(n, 2.0, 60.0) for n in (1, 2, 3, 4, 5, 6, 99)] == \
        [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    delays = [backoff.retry_delay(3, 2.0, 60.0, rng) for _ in range(500)]
    assert 4.0 <= min(delays) < 4.5 and 7.5 < max(delays) <= 8.0


def test_body_is_the_bus_event_plus_the_webhook_fields_and_headers_sign_it():
    event = {"event": "del-member", "account_id": ACCOUNT, "conference_id": "c", "msg_id": "m1",
             "event_name": "participant_event", "call_id": "k"}
    body = build_body(event, HOOK, HookEvent("participant.left", {"reason": "kicked"}), 9)
    parsed = orjson.loads(body)
    assert parsed == {**event, "reason": "kicked", "webhook_id": "w1",
                      "webhook_event": "participant.left", "account_id": ACCOUNT,
                      "custom_data": {"crm": "7"}, "sequence": 9, "event_id": "m1"}
    headers = request_headers(HOOK, "participant.left", "m1", 9, 2, body, now=1700000000)
    assert signing.verify("whsec_test", headers["X-Kazoo-Signature"], body, now=1700000000)
    assert (headers["X-Kazoo-Event-Id"], headers["X-Kazoo-Sequence"],
            headers["X-Kazoo-Attempt"]) == ("m1", "9", "2")


@pytest.fixture
def store():
    made = EmbeddedStore(":memory:")
    made.save(account_db(ACCOUNT), {"_id": "w1", "pvt_type": "webhook"})
    yield made
    made.close()


def test_sequences_are_consecutive_and_a_new_instance_continues_above_them(store):
    first = Journal(store, block=5)
    assert [first.next_sequence(HOOK, "room") for _ in range(7)] == [1, 2, 3, 4, 5, 6, 7]
    assert [first.next_sequence(HOOK, "other") for _ in range(2)] == [1, 2]
    stored = store.get(account_db(ACCOUNT), webhook_docs.delivery_doc_id("w1"))
    assert stored["sequences"]["room"]["ceiling"] == 10          # two blocks of 5 reserved
    second = Journal(store, block=5)                              # after a crash or a takeover
    assert second.next_sequence(HOOK, "room") == 11
    assert second.next_sequence(HOOK, "other") == 6


def test_counters_forgotten_from_memory_continue_above_their_stored_block(store):
    journal = Journal(store, block=5, max_counters=2)
    assert [journal.next_sequence(HOOK, room) for room in ("r1", "r1", "r2", "r3")] == \
        [1, 2, 1, 1]                                            # r1 is now forgotten
    assert journal.next_sequence(HOOK, "r3") == 2
    assert journal.next_sequence(HOOK, "r1") == 6               # never 3 again: above 1..5


def test_the_attempts_log_is_bounded_newest_first(store):
    journal = Journal(store, log_size=3)
    for n in range(5):
        journal.record(HOOK, {"n": n})
    journal.flush()
    journal.record(HOOK, {"n": 5})
    journal.flush()
    doc = store.get(account_db(ACCOUNT), webhook_docs.delivery_doc_id("w1"))
    assert [entry["n"] for entry in webhook_docs.attempts_of(doc)] == [5, 4, 3]


def test_nothing_is_written_for_a_deleted_webhook(store):
    gone = Webhook(**{**HOOK.__dict__, "id": "w-deleted"})
    journal = Journal(store)
    journal.record(gone, {"n": 1})
    journal.flush()
    assert store.get_or_none(account_db(ACCOUNT), webhook_docs.delivery_doc_id("w-deleted")) \
        is None


class Job:
    def __init__(self, key, n, completion):
        self.key, self.n, self.completion = key, n, completion


def test_lanes_keep_order_per_key_run_keys_side_by_side_and_ack_when_all_done():
    done, running, acks = [], [], []

    def work(job):
        running.append(job.key)
        gevent.sleep(0.001 * (job.n % 3))
        done.append((job.key, job.n))
        running.remove(job.key)

    lanes = Lanes(work, idle_timeout=0.05)
    completion = Completion(lambda: acks.append("both"), 2)
    for n in range(20):
        for key in ("a", "b"):
            lanes.put(key, Job(key, n, completion if n == 0 else Completion(lambda: None, 1)))
    gevent.sleep(0.3)
    assert [n for key, n in done if key == "a"] == list(range(20))
    assert [n for key, n in done if key == "b"] == list(range(20))
    assert acks == ["both"] and len(lanes) == 0                  # idle lanes ended
    assert Completion(lambda: acks.append("none"), 0) and acks[-1] == "none"


def test_a_lane_killed_mid_job_does_not_acknowledge_it():
    acks = []
    lanes = Lanes(lambda job: gevent.sleep(5))
    lanes.put("k", Job("k", 0, Completion(lambda: acks.append(1), 1)))
    gevent.sleep(0.01)
    lanes.stop()
    assert acks == []


class Recorder:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *args, **kwargs: self.calls.append((name, args))


def test_a_store_outage_during_delivery_is_waited_out_not_acknowledged():
    from kzcore.errors import StoreUnavailable
    from webhooks.delivery import Deliverer, Job, RetryPolicy
    from webhooks.sender import Outcome

    class FlakyDirectory:
        asked = 0

        def current(self, webhook):
            self.asked += 1
            if self.asked <= 2:
                raise StoreUnavailable()
            return webhook

    sent, sleeps = [], []
    sender = Recorder()
    sender.send = lambda verb, uri, body, headers: sent.append(uri) or Outcome(200, None, 1.0)
    health, journal = Recorder(), Recorder()
    deliverer = Deliverer(sender=sender, journal=journal, directory=FlakyDirectory(),
                          health=health, retry=RetryPolicy(0.5, 1.0), max_body=65536,
                          sleep=sleeps.append)
    job = Job(HOOK, HookEvent("participant.joined", {}), {"event": "add-member", "msg_id": "m"},
              "c", 1, None)
    assert deliverer.deliver(job) is True
    assert sleeps == [0.5, 0.5] and sent == ["http://x/"]
    assert [name for name, _ in health.calls] == ["succeeded"]

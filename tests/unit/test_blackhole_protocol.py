"""Blackhole protocol (pure): decoding, binding shapes, encoders, framing, outbox, fan-out."""
import json
import os
import struct

import pytest

from blackhole import frames, protocol
from blackhole.access import AccountScope
from blackhole.fanout import FanOut
from blackhole.outbox import Outbox
from blackhole.protocol import Command, ProtocolError
from kzcore.errors import StoreUnavailable

ACCOUNT = "a" * 32


def subscribe(**data):
    return json.dumps({"action": "subscribe", "auth_token": "t", "request_id": "r1",
                       "data": dict({"account_id": ACCOUNT}, **data)})


# --- decode ------------------------------------------------------------------

def test_subscribe_with_one_binding():
    command = protocol.decode(subscribe(binding="conference.event.c1.*"))
    assert command == Command("subscribe", "r1", "t", ACCOUNT, ("conference.event.c1.*",))


def test_binding_wins_over_bindings_and_duplicates_collapse():
    command = protocol.decode(subscribe(binding="conference.#", bindings=["conference.event.*.*"]))
    assert command.bindings == ("conference.#",)
    command = protocol.decode(subscribe(bindings=["conference.event.a.*", "conference.event.a.*",
                                                  "conference.event.b.*"]))
    assert command.bindings == ("conference.event.a.*", "conference.event.b.*")


@pytest.mark.parametrize("text, fragment", [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "JSON object"),
    ('{"action": "dance", "request_id": "x"}', "unknown action 'dance'"),
    ('{"request_id": "x"}', "unknown action None"),
    (subscribe(binding=None), "bindings must be strings"),
    (subscribe(bindings="conference.#"), "must be a list"),
    (subscribe(), "missing required keys : binding"),
    (json.dumps({"action": "subscribe", "data": {"binding": "conference.#"}}),
     "missing required keys : account_id"),
    (subscribe(account_id="not-an-id", binding="conference.#"), "32 hex"),
    (json.dumps({"action": "subscribe", "data": "x"}), "data must be a JSON object"),
    (subscribe(bindings=[f"conference.event.c{i}.*" for i in range(51)]), "at most 50"),
    ("[" * 100000 + "]" * 100000, "nested more than"),   # json.loads: RecursionError
])
def test_malformed_messages_become_protocol_errors(text, fragment):
    error = protocol.decode(text)
    assert isinstance(error, ProtocolError)
    assert fragment in error.message
    assert error.error_id == "bad_request"


def test_request_id_is_echoed_on_errors_when_readable():
    assert protocol.decode('{"action": "x", "request_id": 7}').request_id == 7
    assert protocol.decode('{"action": "x", "request_id": {"a": 1}}').request_id is None


def test_ping_and_bare_unsubscribe_need_no_data():
    assert protocol.decode('{"action": "ping", "request_id": "p"}') == Command("ping", "p")
    command = protocol.decode('{"action": "unsubscribe", "auth_token": "t"}')
    assert command == Command("unsubscribe", None, "t", None, ())


# --- binding shapes ------------------------------------------------------------

@pytest.mark.parametrize("binding", [
    "conference.event.c1.*", "conference.event.*.*", "conference.#", "conference.event.#",
    "conference.event.c1.call-9", "conference.*.c1.#", "conference.#.conference",
    "conference.event.5edbfdd3b825314a71b0a05957392edb.conference",
])
def test_conference_event_bindings_are_offered(binding):
    assert protocol.binding_problem(binding) is None


@pytest.mark.parametrize("binding, fragment", [
    ("call.CHANNEL_CREATE.*", "only conference events"),
    ("#", "only conference events"),
    ("conference.command.c1", "matches no conference event"),
    ("conference.event.*", "matches no conference event"),
    ("conference.event.c1.*.extra", "matches no conference event"),
    ("conference..x.y", "words are"),
    ("conference.event.c 1.*", "words are"),
    ("conference.event.c1*.*", "words are"),
    ("", "empty"),
    ("conference.event." + "x" * 300 + ".*", "too long"),
])
def test_other_bindings_are_refused_with_a_reason(binding, fragment):
    assert fragment in protocol.binding_problem(binding)


def test_at_most_two_hash_wildcards_per_binding():
    assert protocol.binding_problem("conference.#.room1.#") is None
    assert protocol.binding_problem("conference.#.#") is None
    for binding in ("conference.#.#.#", "conference." + "#." * 100 + "zz",
                    "conference.#.event.#.room1.#"):
        assert "at most 2 '#' wildcards per binding" in protocol.binding_problem(binding)
    refused = protocol.decode(subscribe(binding="conference.#.#.#"))
    assert refused == protocol.ProtocolError("r1", protocol.binding_problem("conference.#.#.#"))



# --- encoders ------------------------------------------------------------------

def test_reply_error_and_event_shapes():
    reply = json.loads(protocol.encode_reply("r", protocol.subscribed_data(["conference.#"])))
    assert reply == {"action": "reply", "request_id": "r", "status": "success",
                     "data": {"subscribed": ["conference.#"]}}
    error = json.loads(protocol.encode_error("r", "boom", "forbidden"))
    assert error == {"action": "reply", "request_id": "r", "status": "error",
                     "data": {"errors": ["boom"], "message": "boom", "error_id": "forbidden"}}
    payload = {"event_name": "participant_event", "event": "add-member", "x": [1, "é"]}
    event = json.loads(protocol.encode_event("conference.#", "conference.event.c.k",
                                             protocol.event_name(payload), json.dumps(payload)))
    assert event == {"action": "event", "subscribed_key": "conference.#",
                     "subscription_key": "conference.#", "name": "participant_event",
                     "routing_key": "conference.event.c.k", "data": payload}
    dropped = json.loads(protocol.encode_events_dropped(3, 10))
    assert dropped["name"] == "events_dropped" and dropped["data"] == {"dropped": 3,
                                                                       "total_dropped": 10}


# --- frames ----------------------------------------------------------------------

def masked(opcode, payload, fin=True):
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    length = len(payload)
    head = struct.pack("!B", (0x80 if fin else 0) | opcode)
    if length < 126:
        head += struct.pack("!B", 0x80 | length)
    elif length < 1 << 16:
        head += struct.pack("!BH", 0x80 | 126, length)
    else:
        head += struct.pack("!BQ", 0x80 | 127, length)
    return head + mask + body


def reader(data):
    view = memoryview(data)
    position = [0]

    def read(count):
        chunk = bytes(view[position[0]:position[0] + min(count, 3)])  # short reads too
        position[0] += len(chunk)
        return chunk
    return read


@pytest.mark.parametrize("size", [0, 5, 125, 126, 300, 70000])
def test_frames_round_trip_through_masking(size):
    payload = os.urandom(size)
    assert frames.read_frame(reader(masked(frames.TEXT, payload)), 1 << 20) == (
        True, frames.TEXT, payload)


def test_server_frames_are_unmasked_with_the_right_length():
    assert frames.text("hi") == b"\x81\x02hi"
    assert frames.text("x" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert frames.close(1001, "bye")[:4] == b"\x88\x05\x03\xe9"


def test_frame_violations_are_refused():
    with pytest.raises(frames.FrameError):
        frames.read_frame(reader(b"\x81\x02hi"), 100)  # unmasked client frame
    with pytest.raises(frames.FrameError) as too_big:
        frames.read_frame(reader(masked(frames.TEXT, b"x" * 200)), 100)
    assert too_big.value.code == 1009
    with pytest.raises(EOFError):
        frames.read_frame(reader(masked(frames.TEXT, b"hello")[:-2]), 100)


@pytest.mark.parametrize("opcode", [0x3, 0x4, 0x7, 0xB, 0xF])
def test_reserved_opcodes_fail_the_connection_with_1002(opcode):
    with pytest.raises(frames.FrameError) as refused:
        frames.read_frame(reader(masked(opcode, b"hi")), 100)
    assert refused.value.code == 1002 and "reserved opcode" in str(refused.value)


def test_a_fragmented_control_frame_is_a_protocol_error():
    with pytest.raises(frames.FrameError) as refused:
        frames.read_frame(reader(masked(frames.PING, b"x", fin=False)), 100)
    assert refused.value.code == 1002
    assert frames.read_frame(reader(masked(frames.BINARY, b"x", fin=False)), 100) == (
        False, frames.BINARY, b"x")


# --- outbox --------------------------------------------------------------------------

def test_outbox_drops_oldest_and_announces_the_gap_before_newer_events():
    box = Outbox(max_events=3)
    for number in range(5):
        box.push_event(frames.text(f"e{number}"))
    box.push_control(frames.text("reply"))
    batch = box.take()
    notice = frames.text(protocol.encode_events_dropped(2, 2))
    assert batch == frames.text("reply") + notice + b"".join(
        frames.text(f"e{n}") for n in (2, 3, 4))
    assert box.total_dropped == 2 and box.take() == b"" and not len(box)


def test_outbox_batches_are_bounded():
    box = Outbox(max_events=100, max_batch_frames=10)
    for _ in range(50):
        box.push_event(b"x" * 100)
    assert len(box.take()) == 1000
    assert len(box) == 40


def test_outbox_appended_in_bulk_is_bounded_at_the_next_trim_or_take():
    """The fan-out appends with the bare ``append_event``; the bound (oldest
    dropped, counted, announced) applies at the pump's next visit."""
    box = Outbox(max_events=3)
    for number in range(6):
        box.append_event(frames.text(f"e{number}"))
    assert len(box) == 3
    box.trim()                                   # a session whose socket is not writable
    assert box.total_dropped == 3 and len(box._events) == 3
    box.append_event(frames.text("e6"))
    notice = frames.text(protocol.encode_events_dropped(4, 4))
    assert box.take() == notice + b"".join(frames.text(f"e{n}") for n in (4, 5, 6))
    assert box.total_dropped == 4 and box.pending_dropped == 0


# --- account scope and fan-out --------------------------------------------------------

class FakeStore:
    def __init__(self, trees, fail=False):
        self.trees, self.fail, self.reads = trees, fail, 0

    def get(self, db, doc_id):
        self.reads += 1
        if self.fail:
            raise StoreUnavailable("down")
        from kzcore.errors import NotFound
        if doc_id not in self.trees:
            raise NotFound()
        return {"_id": doc_id, "pvt_tree": self.trees[doc_id]}


PARENT, CHILD, OTHER = "1" * 32, "2" * 32, "3" * 32


def test_scope_allows_self_and_descendants_and_caches_lookups():
    clock = [0.0]
    store = FakeStore({CHILD: [PARENT], OTHER: []})
    scope = AccountScope(store, ttl=10, clock=lambda: clock[0])
    assert scope.allows(PARENT, PARENT) and scope.allows(PARENT, CHILD)
    assert not scope.allows(CHILD, PARENT) and not scope.allows(PARENT, OTHER)
    assert not scope.allows(PARENT, None)
    reads = store.reads
    assert scope.allows(PARENT, CHILD) and store.reads == reads
    clock[0] = 11
    assert scope.allows(PARENT, CHILD) and store.reads == reads + 1


def test_scope_denies_and_does_not_cache_when_the_store_fails():
    store = FakeStore({CHILD: [PARENT]}, fail=True)
    scope = AccountScope(store)
    assert not scope.allows(PARENT, CHILD)
    store.fail = False
    assert scope.allows(PARENT, CHILD)


class FakeSession:
    def __init__(self):
        self.outbox, self.subscriptions = Outbox(), {}
        self.closed, self.closed_with = False, None

    def close(self, code, reason):
        self.closed, self.closed_with = True, (code, reason)

    @property
    def frames(self):
        return list(self.outbox._events)


def test_fanout_encodes_once_per_binding_and_respects_accounts():
    woken = []
    fan = FanOut(consumer=None, scope=AccountScope(FakeStore({CHILD: [PARENT], OTHER: []})),
                 wake=woken.append)
    parent, child, other, narrow = FakeSession(), FakeSession(), FakeSession(), FakeSession()
    for session, account in ((parent, PARENT), (child, CHILD), (other, OTHER)):
        fan.subscribe(session, "conference.event.*.*", account)
    fan.subscribe(narrow, "conference.event.room2.*", PARENT)
    payload = {"account_id": CHILD, "event_name": "participant_event"}
    assert fan.dispatch("conference.event.room1.call1", payload) == 2
    assert parent.frames == child.frames and parent.frames[0] is child.frames[0]
    assert other.frames == [] and narrow.frames == []
    assert woken == [[parent, child]]
    assert fan.dispatch("conference.event.room1.call1", {"event_name": "no account"}) == 0
    broad = FakeSession()
    fan.subscribe(broad, "conference.#", PARENT)
    assert fan.dispatch("conference.command.room1", payload) == 0     # only events are offered
    fan.unsubscribe(broad, "conference.#")
    fan.unsubscribe(parent, "conference.event.*.*")
    assert fan.dispatch("conference.event.room2.call1", payload) == 2  # child + narrow
    assert len(parent.frames) == 1 and len(narrow.frames) == 1


def test_fanout_checks_the_account_before_matching_any_binding(monkeypatch):
    import blackhole.fanout as fanout_module
    matched, real_matches = [], fanout_module.matches

    def recording_matches(binding, routing_key):
        matched.append(binding)
        return real_matches(binding, routing_key)

    monkeypatch.setattr(fanout_module, "matches", recording_matches)
    fan = FanOut(consumer=None, scope=AccountScope(FakeStore({CHILD: [PARENT], OTHER: []})))
    watcher, noisy = FakeSession(), FakeSession()
    fan.subscribe(watcher, "conference.event.room1.*", CHILD)
    noisy_bindings = [f"conference.#.r{i}.#" for i in range(100)] + ["conference.event.room1.*"]
    for binding in noisy_bindings:
        fan.subscribe(noisy, binding, OTHER)
    assert fan.dispatch("conference.event.room1.call1", {"account_id": CHILD}) == 1
    assert matched == ["conference.event.room1.*"]       # OTHER's bindings were never tried
    assert len(watcher.frames) == 1 and noisy.frames == []
    assert fan.stats()["accounts_not_entitled"] == 1
    matched.clear()
    assert fan.dispatch("conference.event.room1.call1", {"account_id": ["not", "an", "id"]}) == 0
    assert matched == []


def test_fanout_moves_a_resubscribed_binding_to_its_new_account_and_forgets_empty_ones():
    fan = FanOut(consumer=None, scope=AccountScope(FakeStore({CHILD: [PARENT], OTHER: []})))
    session = FakeSession()
    fan.subscribe(session, "conference.event.*.*", OTHER)
    fan.subscribe(session, "conference.event.*.*", PARENT)
    assert fan.dispatch("conference.event.r.c", {"account_id": OTHER}) == 0
    assert fan.dispatch("conference.event.r.c", {"account_id": CHILD}) == 1
    assert fan.stats()["subscriptions"] == 1 and fan.stats()["subscriber_accounts"] == 1
    fan.unsubscribe(session, "conference.event.*.*")
    assert fan.stats()["subscriptions"] == 0 and fan.stats()["subscriber_accounts"] == 0
    assert fan.stats()["bindings"] == 0


# --- command handler (no sockets) ---------------------------------------------------

def handler_and_session(max_subscriptions=3):
    from blackhole.commands import CommandHandler
    from kzcore.tokens import TokenSigner
    signer = TokenSigner("unit-secret")
    scope = AccountScope(FakeStore({PARENT: [], CHILD: [PARENT], OTHER: []}))
    fan = FanOut(consumer=None, scope=scope)
    handler = CommandHandler(signer, scope, fan, max_subscriptions=max_subscriptions)
    session = FakeSession()
    session.id = 1
    return handler, session, fan, signer.issue({"account_id": PARENT})


def command(action, token, account_id=None, *bindings):
    data = {"bindings": list(bindings)} if bindings else {}
    if account_id:
        data["account_id"] = account_id
    return json.dumps({"action": action, "auth_token": token, "request_id": "q", "data": data})


def test_subscriptions_are_idempotent_and_limited_per_connection():
    handler, session, fan, token = handler_and_session(max_subscriptions=3)
    handler.handle(session, command("subscribe", token, PARENT, "conference.event.a.*"))
    reply = json.loads(handler.handle(session, command("subscribe", token, PARENT,
                                                       "conference.event.a.*",
                                                       "conference.event.b.*")))
    assert reply["data"]["subscribed"] == ["conference.event.a.*", "conference.event.b.*"]
    reply = json.loads(handler.handle(session, command("subscribe", token, CHILD,
                                                       "conference.event.c.*",
                                                       "conference.event.d.*")))
    assert reply["status"] == "error" and reply["data"]["error_id"] == "limit_exceeded"
    assert fan.stats()["subscriptions"] == 2


def test_unsubscribe_by_binding_by_account_or_everything():
    handler, session, fan, token = handler_and_session(max_subscriptions=10)
    handler.handle(session, command("subscribe", token, PARENT, "conference.event.a.*"))
    handler.handle(session, command("subscribe", token, CHILD, "conference.event.b.*",
                                    "conference.event.c.*"))
    reply = json.loads(handler.handle(session, command("unsubscribe", token, CHILD)))
    assert isinstance(reply["data"].pop("resume_token"), str)   # blackhole.resume
    assert reply["data"] == {"subscribed": ["conference.event.a.*"],
                             "unsubscribed": ["conference.event.b.*", "conference.event.c.*"]}
    reply = json.loads(handler.handle(session, command("unsubscribe", "bad-token")))
    assert reply["data"]["error_id"] == "invalid_credentials"
    reply = json.loads(handler.handle(session, command("unsubscribe", token)))
    assert isinstance(reply["data"].pop("resume_token"), str)
    assert reply["data"] == {"subscribed": [], "unsubscribed": ["conference.event.a.*"]}
    assert fan.stats()["subscriptions"] == 0

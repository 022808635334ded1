"""The event path: ESL handlers enqueue, one worker greenlet applies, normalises,
filters and publishes, in arrival order.

Every message gets a stable ``msg_id`` (``event_ids``) and goes to the outlet: the
publisher, or with several instances the HA handover (``handover``, ``lease``).

Connection changes travel through the same queue as events, so a resync sees
exactly the events that came before it. After a (re)connect the worker reads
``conference json_list`` (and ``uuid_dump`` for members it did not know) and
publishes what reconcile says. A node away longer than ``grace`` seconds has its
rooms emptied with synthetic events.
"""
import collections
import logging
import time

import gevent
import gevent.event

from ecallmgr import copies, events, resync
from ecallmgr.event_ids import START, event_id, switch_position, synthetic_position
from ecallmgr.handover import DirectOutlet
from ecallmgr.lifecycle import LifecycleEvents, is_refusal, lifecycle_message, sequence_number
from ecallmgr.normalize import channel_recording, normalize, room_identity
from ecallmgr.state import LiveState
from kzcore import fs_commands, fs_replies
from kzcore.esl.frames import parse_headers

log = logging.getLogger(__name__)

EVENT, CONNECTED, DISCONNECTED, GRACE_OVER = "event", "connected", "disconnected", "grace-over"
RESYNC = "resync"
RESYNC_RETRY = 1.0   # seconds before a failed resync is tried again (while connected)
RESYNC_ATTEMPTS = 5
YIELD_EVERY = 64     # events handled before the worker lets other greenlets run


class EventStream:
    def __init__(self, *, publisher, node, participant_events=None, api=None, grace=30.0,
                 api_timeout=5.0, max_queue=100000, outlet=None):
        self.publisher = publisher
        self.outlet = outlet or DirectOutlet(publisher)   # the HA handover, when there is one
        self.node = node
        self.participant_events = participant_events
        self.api = api                       # api(node_name, command, timeout=...) -> text
        self.grace = grace
        self.api_timeout = api_timeout
        self.state = LiveState()
        self.lifecycle = LifecycleEvents()      # conference-started/-ended, joined/left
        self.counts = collections.Counter()
        self._max_queue = max_queue
        self._queue = collections.deque()
        self._wakeup = gevent.event.Event()
        self._idle = gevent.event.Event()
        self._idle.set()
        self._lost = {}                      # node -> generation of its pending grace timer
        self._positions = {}                 # node -> Position of its last event
        self._made_after = collections.Counter()   # node -> synthetic messages made since
        self._synced = set()                 # nodes connected and resynced since
        self._expired = set()                # nodes away past their grace period
        self._generation = 0
        self._worker = None

    # -- handlers: only enqueue ---------------------------------------------
    def on_event(self, client, event):
        self._enqueue((EVENT, client.name, event))

    def on_connect(self, client):
        self._enqueue((CONNECTED, client.name, None))

    def on_disconnect(self, client):
        self._enqueue((DISCONNECTED, client.name, None))

    def _enqueue(self, item):
        if len(self._queue) >= self._max_queue and item[0] == EVENT:
            self.counts["dropped"] += 1
            return
        self._queue.append(item)
        self._idle.clear()
        self._wakeup.set()

    # -- lifecycle ----------------------------------------------------------
    def start(self):
        if self._worker is None:
            self._worker = gevent.spawn(self._work)
        return self

    def stop(self):
        if self._worker is not None:
            self._worker.kill(block=True, timeout=2)
            self._worker = None

    def drain(self, timeout=5.0):
        """Wait until everything enqueued so far has been handled (tests, shutdown)."""
        return self._idle.wait(timeout)

    def stats(self):
        return {**self.counts, "queued": len(self._queue),
                "conferences": sum(len(self.state.conferences(n)) for n in self.state.nodes()),
                "members": self.state.member_count(), "lost_nodes": sorted(self._lost)}

    def _work(self):
        handled = 0
        while True:
            while self._queue:
                kind, node, event = self._queue.popleft()
                try:
                    self._handle(kind, node, event)
                except Exception:  # one bad event must not stop the stream
                    self.counts["errors"] += 1
                    log.exception("event handling failed", extra={"node": node, "kind": kind})
                handled += 1
                if handled % YIELD_EVERY == 0:
                    gevent.sleep(0)      # let the publisher send what a burst produced
            self._idle.set()
            self._wakeup.wait()
            self._wakeup.clear()

    def request_resync(self, node):
        """Resync ``node`` after what is queued (a takeover: ``ecallmgr.lease``)."""
        self._enqueue((RESYNC, node, 1))

    def is_live(self, node):
        """Connected, and resynced since: this instance's view of the node is current."""
        return node in self._synced

    def is_expired(self, node):
        return node in self._expired

    def _handle(self, kind, node, event):
        if kind == EVENT:
            self.handle_event(node, event)
        elif kind == CONNECTED:
            self._lost.pop(node, None)
            self._expired.discard(node)
            self.resync(node)
        elif kind == RESYNC:
            if node not in self._lost:          # retries stop while the node is away
                self.resync(node, attempt=event)
        elif kind == DISCONNECTED:
            self._synced.discard(node)
            self._node_lost(node)
        elif kind == GRACE_OVER:
            self._grace_over(node, event)

    # -- events -------------------------------------------------------------
    def handle_event(self, node, event):
        self.counts["received"] += 1
        position = switch_position(event)
        if position is not None:
            self._positions[node] = position
            self._made_after[node] = 0
        if event.get("Event-Name") in events.CHANNEL_EVENTS:
            self.state.apply(node, event)
            return
        if event.get("Event-Name") in events.RECORD_EVENTS:
            self._publish_recording(node, event, position)
            return
        if event.get("Event-Subclass") != events.MAINTENANCE_SUBCLASS:
            return
        if room_identity(event) is None:
            self.counts["foreign"] += 1
            return
        if is_refusal(event):               # a caller refused before any room existed
            self._publish_derived(node, event, None)
            return
        applied = self.state.apply(node, event)
        if applied.is_repeat:
            self.counts["repeats_suppressed"] += 1
            return
        self._publish(node, event, applied, position)

    def _publish(self, node, event, applied, position=None):
        self._publish_own(node, event, applied, position)
        self._publish_derived(node, event, applied)

    def _publish_own(self, node, event, applied, position):
        action = event.get("Action")
        still_running = copies.withheld(self.state, node, event)   # issue 18: destroy once
        if still_running:
            self.counts["destroy_withheld"] += 1
            log.info("conference-destroy withheld: the room still runs on another node",
                     extra={"node": node, "conference_name": event.get("Conference-Name"),
                            "nodes": still_running})
            return
        if applied.member is not None and not events.wanted(action, self.participant_events):
            self.counts["filtered"] += 1
            return
        position, msg_id = self._identify(node, event, position)
        result = normalize(event, node=self.node, focus=node, msg_id=msg_id,
                           member=applied.member, conference=applied.conference)
        if result is None:
            self.counts["unknown"] += 1
            return
        result[1]["sequence"] = sequence_number(position)
        self.outlet.send(node, position, *result)
        self.counts["published"] += 1
        if resync.SYNTHETIC in event:
            self.counts["synthetic"] += 1

    def _publish_derived(self, node, event, applied):
        """The lifecycle messages of one event (ecallmgr.lifecycle), each at the next
        place after it; published whatever ``publish_participant_event`` filters."""
        skipped = copies.derived_withheld(self.state, node, event)   # issue 18: once a room
        for derived in self.lifecycle.derive(node, event, room_identity(event), time.time()):
            if derived.name == skipped:
                self.counts["lifecycle_withheld"] += 1
                continue
            self._made_after[node] += 1
            position = synthetic_position(self._positions.get(node, START), self._made_after[node])
            self.outlet.send(node, position, *lifecycle_message(
                event, derived, position, node=self.node, focus=node, applied=applied))
            self.counts["lifecycle_published"] += 1

    def _publish_recording(self, node, event, position):
        """A participant's recording started or stopped (uuid_record)."""
        position, msg_id = self._identify(node, event, position)
        result = channel_recording(event, node=self.node, focus=node, msg_id=msg_id)
        if result is not None:
            result[1]["sequence"] = sequence_number(position)
            self.outlet.send(node, position, *result)
            self.counts["published"] += 1

    def _identify(self, node, event, position):
        """(Position, msg_id): the switch's own numbering of the event, or for a
        synthetic event (or one without a sequence) the next place after the last."""
        if position is not None:
            return position, event_id(position)
        self._made_after[node] += 1
        position = synthetic_position(self._positions.get(node, START), self._made_after[node])
        return position, event_id(position, event, event.get(resync.SYNTHETIC, "unsequenced"))

    def _publish_synthetic(self, node, synthetic):
        for event in synthetic:
            self._publish(node, event, self.state.apply(node, event))

    # -- connection changes ----------------------------------------------------
    def resync(self, node, attempt=1):
        """Reconcile the state with the node's json_list; publishes the differences."""
        try:
            listing = fs_replies.parse_json_list(
                self.api(node, fs_commands.api_json_list_all(), timeout=self.api_timeout))
        except Exception as error:  # a lost node resyncs on its next connect anyway
            self.counts["resync_failed"] += 1
            log.warning("resync failed", extra={"node": node, "error": str(error),
                                                "attempt": attempt})
            if attempt < RESYNC_ATTEMPTS:
                gevent.spawn_later(RESYNC_RETRY, self._enqueue, (RESYNC, node, attempt + 1))
            return
        channels = self._channel_dumps(node, resync.unknown_call_ids(self.state, node, listing))
        synthetic = resync.reconcile(self.state, node, listing, channels)
        self._publish_synthetic(node, synthetic)
        self._synced.add(node)
        self.counts["resyncs"] += 1
        log.info("resynced", extra={"node": node, "synthetic_events": len(synthetic),
                                    "conferences": len(self.state.conferences(node))})

    def _channel_dumps(self, node, call_ids):
        """``uuid_dump`` headers per call id, for members first seen in json_list
        (completes dialled members' caller ids and channel variables). Best effort."""
        dumps = {}
        for call_id in call_ids:
            try:
                text = self.api(node, fs_commands.api_uuid_dump(call_id), timeout=self.api_timeout)
            except Exception:  # a record from json_list alone is still worth publishing
                continue
            if text.startswith(("-ERR", "-USAGE")) or ": " not in text:
                continue
            dumps[call_id] = parse_headers(text, decode=True)
        return dumps

    def _node_lost(self, node):
        self._generation += 1
        generation = self._lost[node] = self._generation
        gevent.spawn_later(self.grace, self._enqueue, (GRACE_OVER, node, generation))
        log.warning("node lost", extra={"node": node, "grace": self.grace})

    def _grace_over(self, node, generation):
        if self._lost.get(node) != generation:
            return          # the node came back (or was lost again) meanwhile
        synthetic = resync.node_lost_events(self.state, node)
        self._publish_synthetic(node, synthetic)
        self.state.forget_node(node)
        self.lifecycle.memory.forget_node(node)
        self._expired.add(node)
        self.counts["nodes_expired"] += 1
        log.warning("node away past its grace period: its conferences are gone",
                    extra={"node": node, "synthetic_events": len(synthetic)})

"""One endpoint dialled through carriers: its attempts, one after the other,
within the dial's time budget (one greenlet per endpoint).

Each attempt first asks the node about its gateway (``sofia status gateway
<name>``): an unknown gateway (``Invalid Gateway!``) or one whose ping says DOWN
fails at once as ``INVALID_GATEWAY`` / ``GATEWAY_DOWN`` without dialling, as the
switch would (round 5: those two leave no channel event, and a bgdial into a
room that does not exist yet sends no bgdial-result, so nothing else would say
so). Otherwise one ``bgdial`` through the gateway with ``originate_timeout`` =
the seconds left; its fate comes from the dial watcher (bgdial-result, or the
leg's channel events for a new room). A failed leg (busy, no answer, 503,
timer B...) moves on to the next gateway; success, or a leg whose fate is
still unknown when the budget ends (it may be ringing: never dial twice), stops.
"""
import logging
import time

import gevent

from crossbar.live import carrier_routing, dial_plan
from kzcore import sofia_status
from kzcore.errors import SwitchRefused, SwitchUnavailable
from kzcore.fs_commands import sofia

log = logging.getLogger(__name__)
RESULT_GRACE = 2.0   # seconds after the budget for the switch's verdict on the last leg
GATEWAY_CAUSES = ("INVALID_GATEWAY", "GATEWAY_DOWN")


class CarrierLeg:
    def __init__(self, live, watcher, node, conference, target, params, account, budget,
                 room_existed, clock=time.monotonic, sounds=None):
        """``conference``: ``(fs name, conference id)``; ``budget``: seconds for every attempt."""
        self.live, self.watcher, self.node = live, watcher, node
        self.sounds = sounds or {}
        self.join_only = dial_plan.joins_existing_only(params)
        self.name, self.conference_id = conference
        self.target, self.params, self.account = target, params, account
        self.clock, self.room_existed = clock, room_existed
        self.deadline = clock() + budget
        self.shown = []

    def start(self):
        return gevent.spawn(self.run)

    def run(self):
        """The endpoint_responses item."""
        for planned in self.target.attempts:
            remaining = self.deadline - self.clock()
            if remaining < 1:
                break
            try:
                decided, job = self._attempt(planned, int(remaining))
            except SwitchUnavailable as down:
                self.shown.append(carrier_routing.shown_attempt(planned, "NODE_UNAVAILABLE"))
                return self._response(None, "error", f"dial failed: {down.message}")
            if decided is None:
                self.shown.append(carrier_routing.shown_attempt(planned, "PENDING", job))
                return self._response(planned, "pending", "dial requested; no result yet "
                                                           f"for call id {planned.call_id}", job)
            status, value = decided
            self.shown.append(carrier_routing.shown_attempt(
                planned, "SUCCESS" if status == "success" else value, job))
            if status == "success":
                return self._response(planned, "success", f"dial resulted in call id {value}",
                                      job, value)
        causes = [a["cause"] for a in self.shown]
        why = "; ".join(causes) if causes else "no time left for any gateway"
        return self._response(None, "error", f"dial failed on every gateway: {why}")

    def _attempt(self, planned, seconds):
        """``(decided, job id)`` of one attempt; decided as dial_plan.outcome."""
        refused = self._gateway_refusal(planned.attempt.gateway)
        if refused:
            return ("error", refused), None
        args = carrier_routing.attempt_args(planned, self.params, self.account, seconds,
                                            self.sounds)
        try:
            text = self.live.send_to(self.node, self.name, self.conference_id, "bgdial", **args)
        except SwitchRefused as refusal:
            return ("error", refusal.message), None
        job = dial_plan.job_id(text)
        log.info("carrier attempt", extra={"node": self.node, "conference_name": self.name,
                                           "resource_id": planned.attempt.resource_id,
                                           "gateway": planned.attempt.gateway, "job_id": job})
        return self._wait(job, planned.call_id), job

    def _gateway_refusal(self, gateway):
        reply = self.live.pool.api(self.node, sofia.status_gateway(gateway),
                                   timeout=self.live.timeout)
        if sofia_status.gateway_detail(reply) is None:
            return GATEWAY_CAUSES[0]
        return None if sofia_status.gateway_up(reply) else GATEWAY_CAUSES[1]

    def _wait(self, job, call_id):
        until = self.deadline + RESULT_GRACE
        while True:
            facts = self.watcher.facts(self.node, job, call_id)
            decided = dial_plan.outcome(facts, call_id, self.room_existed, self.join_only)
            remaining = until - self.clock()
            if decided is not None or remaining <= 0:
                return decided
            self.watcher.wait(min(remaining, 0.5))

    def _response(self, planned, status, message, job=None, call_id=None):
        item = {"endpoint_id": self.target.endpoint_id,
                "call_id": call_id or (planned.call_id if planned and job else None),
                "job_id": job, "status": status, "message": message,
                "attempts": list(self.shown)}
        if planned is not None:
            used = carrier_routing.shown_attempt(planned, None)
            item.update({key: used[key] for key in ("resource_id", "resource_name", "scope",
                                                    "gateway_index", "server") if key in used})
        return item


class CarrierDials:
    """The carrier endpoints of one dial: checked up front, started once the
    dial's document (if any) is in place, their responses merged in order."""

    def __init__(self, live, watcher, conference, params, account, budget, sounds=None):
        """``sounds``: the channel variables of the legs' entry / exit tones."""
        self.live, self.watcher, self.conference = live, watcher, conference
        self.params, self.account, self.budget = params, account, budget
        self.sounds = sounds or {}
        self.targets = {}      # position in the dial's targets -> Target
        self.running = {}

    def split(self, targets):
        """The targets that are not carrier ones; the carrier ones are validated."""
        carrier_routing.check_params(self.conference[0], self.params)
        others = []
        for index, target in enumerate(targets):
            if target.attempts:
                carrier_routing.check_attempts(self.conference[0], target, self.params,
                                               self.account, self.budget)
                self.targets[index] = target
            else:
                others.append(target)
        return others

    def call_ids(self):
        return [p.call_id for target in self.targets.values() for p in target.attempts]

    def start(self, node, room_existed):
        for index, target in self.targets.items():
            self.running[index] = CarrierLeg(self.live, self.watcher, node, self.conference,
                                             target, self.params, self.account, self.budget,
                                             room_existed, sounds=self.sounds).start()

    def merge(self, responses):
        """``responses`` of the other targets, with the carrier ones in their places."""
        gevent.joinall(list(self.running.values()))
        merged, others = [], iter(responses)
        for index in range(len(responses) + len(self.running)):
            leg = self.running.get(index)
            merged.append(_value(leg) if leg is not None else next(others))
        return merged


def _value(greenlet):
    if greenlet.successful():
        return greenlet.value
    log.error("carrier leg crashed", exc_info=greenlet.exception)
    return {"status": "error", "message": "dial failed: internal error", "attempts": []}


def carrier_budget(params, config, max_wait):
    """Seconds every attempt of a carrier endpoint shares: the dial's timeout, else
    KZ_CARRIER_DIAL_TIMEOUT; the request never waits longer than ``max_wait``."""
    budget = float(params.get("timeout") or getattr(config, "carrier_dial_timeout", 30.0))
    return min(budget, max_wait - RESULT_GRACE)

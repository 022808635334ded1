"""Delivering one event to one webhook: attempts, back-off, the log, the outcome.

Each attempt uses the webhook as it is now (URL, verb and secret: an edit or a
rotated secret applies to the next attempt) and stops if it was disabled or
deleted meanwhile. A 2xx answer delivers; anything else (other statuses, a
redirect, a timeout, a refused destination) fails the attempt. After
``retries`` retries the event is dropped and logged, and counts as a failed
event for the webhook's health.
"""
import dataclasses
import logging
import random
import time

import gevent

from kzcore.errors import KzError
from kzcore.timings import Counts
from webhooks import backoff
from webhooks.body import build_body, request_headers

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Job:
    webhook: object           # directory.Webhook when the event was dispatched
    event: object             # hooks.HookEvent
    payload: dict             # the bus event
    conference_id: str
    sequence: int
    completion: object        # lanes.Completion


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    delay: float
    max_delay: float


class Deliverer:
    def __init__(self, *, sender, journal, directory, health, retry, max_body,
                 sleep=gevent.sleep, rng=random, clock=time.time):
        self.sender = sender
        self.journal = journal
        self.directory = directory
        self.health = health
        self.retry = retry
        self.max_body = max_body
        self.sleep = sleep
        self.rng = rng
        self.clock = clock
        self.delivered = 0
        self.dropped = 0
        self.attempts = Counts(max_keys=8)      # (result,): success | retrying | failed

    def deliver(self, job):
        body = build_body(job.payload, job.webhook, job.event, job.sequence)
        if len(body) > self.max_body:
            self._drop(job, f"body of {len(body)} bytes exceeds {self.max_body}")
            return False
        attempt = 0
        while True:
            webhook = self._still_wanted(job)
            if webhook is None:
                self._drop(job, "webhook disabled or deleted")
                return False
            attempt += 1
            last = attempt > max(webhook.retries, 0)
            outcome = self._attempt(webhook, job, body, attempt)
            self._log(webhook, job, attempt, outcome, last)
            if outcome.ok:
                self.delivered += 1
                self.health.succeeded(webhook)
                return True
            if last or not outcome.connected:
                self.dropped += 1
                log.warning("webhook event dropped", extra={
                    "webhook_id": webhook.id, "account_id": webhook.account_id,
                    "event": job.event.name, "attempts": attempt, "error": outcome.error,
                    "status": outcome.status})
                self.health.failed(webhook)
                return False
            self.sleep(backoff.retry_delay(attempt, self.retry.delay, self.retry.max_delay,
                                           self.rng))

    def _attempt(self, webhook, job, body, attempt):
        event_id = job.payload.get("msg_id")
        headers = request_headers(webhook, job.event.name, event_id, job.sequence, attempt, body,
                                  self.clock())
        return self.sender.send(webhook.http_verb, webhook.uri, body, headers)

    def _still_wanted(self, job):
        """The webhook as it is now, or None if disabled or deleted. A store that
        cannot answer is waited for: giving up here would acknowledge the event."""
        while True:
            try:
                webhook = self.directory.current(job.webhook)
                return webhook if webhook is not None and webhook.enabled else None
            except KzError as exc:
                log.warning("webhook lookup failed; waiting", extra={
                    "webhook_id": job.webhook.id, "error": exc.error_id})
                self.sleep(max(self.retry.delay, 0.1))

    def _log(self, webhook, job, attempt, outcome, last):
        result = "success" if outcome.ok else ("failed" if last or not outcome.connected
                                               else "retrying")
        self.attempts.add((result,))
        self.journal.record(webhook, {
            "time": round(self.clock(), 3), "event": job.event.name,
            "event_id": job.payload.get("msg_id"), "conference_id": job.conference_id,
            "sequence": job.sequence, "attempt": attempt, "attempts_max": webhook.retries + 1,
            "status": outcome.status, "error": outcome.error,
            "duration_ms": outcome.duration_ms, "result": result})

    def _drop(self, job, why):
        self.dropped += 1
        self.journal.record(job.webhook, {
            "time": round(self.clock(), 3), "event": job.event.name,
            "event_id": job.payload.get("msg_id"), "conference_id": job.conference_id,
            "sequence": job.sequence, "attempt": 0, "status": None, "error": why,
            "duration_ms": 0.0, "result": "dropped"})
        log.info("webhook event not sent", extra={"webhook_id": job.webhook.id,
                                                  "event": job.event.name, "why": why})

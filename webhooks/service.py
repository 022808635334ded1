"""The delivery service: events in, ordered deliveries out.

The source's callback only enqueues. One dispatcher greenlet takes events in
bus order, turns each into webhook events (the hook table), finds the webhooks
that want them (the directory: the event's account, and its ancestors'
``include_subaccounts`` webhooks), numbers each (webhook, conference) event and
hands it to that pair's lane. The bus message is acknowledged when every lane
has finished with it. A store that cannot answer stops dispatching (the message
stays unacknowledged) until it can.
"""
import logging

import gevent
from gevent.queue import Queue

from kzcore.errors import KzError
from webhooks import hooks
from webhooks.delivery import Job
from webhooks.lanes import Completion, Lanes

log = logging.getLogger(__name__)

STORE_RETRY = 1.0     # seconds before a failed webhook lookup is tried again


class WebhookService:
    def __init__(self, *, source, directory, journal, deliverer, lanes=None, memory=None,
                 store_retry=STORE_RETRY):
        self.source = source
        self.directory = directory
        self.journal = journal
        self.deliverer = deliverer
        self.lanes = lanes or Lanes(deliverer.deliver)
        self.memory = memory or hooks.RoomMemory()
        self.store_retry = store_retry
        self._inbox = Queue()
        self._dispatcher = None
        self.dispatched = 0

    def start(self):
        self.journal.start()
        self._dispatcher = gevent.spawn(self._dispatch_loop)
        self.source.start(self._on_message)
        return self

    def wait_ready(self, timeout=5.0):
        return self.source.wait_ready(timeout)

    def stop(self):
        """Deliveries first (what they leave unfinished stays unacknowledged),
        then the source, whose unacknowledged messages go to the next instance."""
        if self._dispatcher is not None:
            self._dispatcher.kill()
        self.lanes.stop()
        self.source.stop()
        self.journal.stop()

    def stats(self):
        return {"dispatched": self.dispatched, "delivered": self.deliverer.delivered,
                "dropped": self.deliverer.dropped, "lanes": len(self.lanes),
                "inbox": self._inbox.qsize()}

    def _on_message(self, routing_key, payload, ack):
        self._inbox.put((payload, ack))

    def _dispatch_loop(self):
        while True:
            payload, ack = self._inbox.get()
            events = hooks.hook_events(payload, self.memory) if isinstance(payload, dict) else []
            while True:
                try:
                    self._dispatch(payload, events, ack)
                    break
                except KzError as exc:
                    log.warning("webhook lookup failed; retrying", extra={
                        "error": exc.error_id, "account_id": payload.get("account_id")})
                    gevent.sleep(self.store_retry)
                except Exception:  # noqa: BLE001 - a bad event must not stop the service
                    log.exception("webhook dispatch failed; event dropped")
                    ack()
                    break

    def _dispatch(self, payload, events, ack):
        """Jobs for every (event, webhook) pair, numbered and queued in order."""
        pairs = []
        if events:
            webhooks = self.directory.webhooks_for(payload.get("account_id"))
            pairs = [(event, webhook) for event in events for webhook in webhooks
                     if hooks.subscribed(webhook.hook, event.name)]
        conference_id = payload.get("conference_id")
        completion = Completion(ack, len(pairs))
        numbered = [(event, webhook, self.journal.next_sequence(webhook, conference_id))
                    for event, webhook in pairs]
        for event, webhook, sequence in numbered:
            self.lanes.put((webhook.id, conference_id),
                           Job(webhook, event, payload, conference_id, sequence, completion))
        self.dispatched += len(numbered)

"""Acknowledgements of a pika consumer whose messages are handled elsewhere.

The handler (another greenlet, maybe much later) acknowledges a message by
calling the ``ack`` it was given; the consumer's own greenlet, which alone may
touch the connection, sends the pending acks after each read (``flush``). A
delivery tag only means something on the channel that delivered it: acks asked
for after a reconnect (a new generation) are dropped, the broker redelivers.
"""
import collections
import json
import logging

from kzcore.bus.pika_tuning import write_now

log = logging.getLogger(__name__)


class DeferredAcks:
    def __init__(self):
        self.generation = 0
        self._pending = collections.deque()      # (generation, delivery tag)

    def new_channel(self):
        """A new connection/channel: tags of the old one mean nothing on it."""
        self.generation += 1
        self._pending.clear()

    def ack_for(self, delivery_tag):
        """The ``ack()`` a handler calls once the message is done with."""
        generation = self.generation

        def ack():
            self._pending.append((generation, delivery_tag))
        return ack

    def deliver_json(self, method, body, callback, consumer):
        """``callback(routing_key, payload, ack)`` for a message of JSON; anything
        else is logged and acknowledged (dropped: redelivering it would not help)."""
        ack = self.ack_for(method.delivery_tag)
        try:
            payload = json.loads(body)
        except ValueError:
            log.warning("queue message not JSON, dropped",
                        extra={"routing_key": method.routing_key, "consumer": consumer})
            ack()
            return
        callback(method.routing_key, payload, ack)

    def flush(self, connection, channel):
        """Send the pending acks of this generation (consumer's greenlet only)."""
        if not self._pending:
            return
        while self._pending:
            generation, tag = self._pending.popleft()
            if generation == self.generation:
                channel._impl.basic_ack(tag)
        write_now(connection)

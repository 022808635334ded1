"""Acknowledgements of a pika consumer whose messages are handled elsewhere.

The handler (another greenlet, maybe much later) acknowledges a message by
calling the ``ack`` it was given; the consumer's own greenlet, which alone may
touch the connection, sends the pending acks after each read (``flush``). A
delivery tag only means something on the channel that delivered it: acks asked
for after a reconnect (a new generation) are dropped, the broker redelivers.
"""
import collections

from kzcore.bus.pika_tuning import write_now


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

    def flush(self, connection, channel):
        """Send the pending acks of this generation (consumer's greenlet only)."""
        if not self._pending:
            return
        while self._pending:
            generation, tag = self._pending.popleft()
            if generation == self.generation:
                channel._impl.basic_ack(tag)
        write_now(connection)

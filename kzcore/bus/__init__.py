"""Event bus: publish and consume topic-routed JSON events (AMQP or in-process)."""

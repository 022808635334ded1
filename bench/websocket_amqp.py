"""websocket, the baseline: a plain pika consumer bound to the subscribers' key, in
its own process (``multiprocessing``), timing each event from its send stamp.

Expects the repository on sys.path (bench/websocket.py sets it).
"""
import re
import time

from bench.ws_report import Histogram

# Every receiver finds the send time with a regex instead of parsing the event.
STAMP = re.compile(rb'"bench_sent_us":(\d+)')


def amqp_consumer(url, binding, ready, stop, results):
    import pika
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.exchange_declare("conference", exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
    channel.queue_bind(queue, "conference", routing_key=binding)
    histogram, received = Histogram(), [0]

    def on_message(_channel, _method, _properties, body):
        match = STAMP.search(body)
        if match:
            histogram.add(time.time() - int(match.group(1)) / 1e6)
            received[0] += 1
    channel.basic_consume(queue, on_message, auto_ack=True)
    ready.put(True)
    while not stop.is_set():
        connection.process_data_events(time_limit=0.1)
    connection.close()
    results.put({"kind": "amqp", "received": received[0], "histogram": dict(histogram.buckets)})

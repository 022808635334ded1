"""pika settings shared by the publisher and the consumer."""
import logging

import pika
from pika.adapters.utils import io_services_utils

log = logging.getLogger(__name__)


def connection_parameters(url, connect_timeout, connection_name):
    """URL parameters with bounded socket/handshake timeouts and a name that
    shows in ``rabbitmqctl list_connections client_properties``."""
    params = pika.URLParameters(url)
    params.socket_timeout = connect_timeout
    params.stack_timeout = connect_timeout * 2
    params.blocked_connection_timeout = connect_timeout * 6
    params.connection_attempts = 1
    params.client_properties = {"connection_name": connection_name}
    return params


def install_write_coalescing():
    """pika sends every AMQP frame with its own ``send()`` (three per message:
    method, header, body). Joining what is queued into one ``send()`` is what
    makes batched publishing pay: about 4x more messages per second here.
    Idempotent; affects only how bytes already queued are written."""
    transport = io_services_utils._AsyncTransportBase
    if getattr(transport._produce, "kz_coalescing", False):
        return
    original = transport._produce

    def produce(self):
        buffers = self._tx_buffers
        if len(buffers) > 1:
            joined = b"".join(buffers)
            buffers.clear()
            buffers.append(joined)
        return original(self)

    produce.kz_coalescing = True
    transport._produce = produce


def close_quietly(connection):
    """Close a connection being discarded; errors only matter for debugging."""
    if connection is not None and connection.is_open:
        try:
            connection.close()
        except Exception:  # the connection is being discarded anyway
            log.debug("error closing amqp connection", exc_info=True)

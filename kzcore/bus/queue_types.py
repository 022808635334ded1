"""The type of a service's durable shared queue: ``classic`` or ``quorum``
(``KZ_WEBHOOKS_QUEUE_TYPE``, ``KZ_LIFECYCLE_QUEUE_TYPE``, ``KZ_TRANSCRIBE_QUEUE_TYPE``).

Only durable queues that outlive their consumers take a type: a quorum queue
is replicated across a RabbitMQ cluster and kept on disk, but it cannot be
exclusive, auto-delete or non-durable, so the per-connection queues (leases,
blackhole's and the taps' bindings) stay classic whatever is configured.

A queue's type cannot change in place: declaring an existing queue with another
type (or other arguments) is refused by the broker (``PRECONDITION_FAILED``,
406). ``declare_durable`` says so in one error line naming the setting and the
way out (delete the queue, or name a new one), then lets the failure take its
usual course (the owner's ``supervise`` loop tries again, without consuming).
"""
import pika.exceptions

QUEUE_TYPES = ("classic", "quorum")
PRECONDITION_FAILED = 406


def checked_queue_type(queue_type, setting):
    """``queue_type`` if it is one RabbitMQ knows, else a ValueError naming ``setting``."""
    if queue_type not in QUEUE_TYPES:
        raise ValueError(f"{setting} must be one of {', '.join(QUEUE_TYPES)}, "
                         f"not {queue_type!r}")
    return queue_type


def typed_arguments(queue_type, setting, **arguments):
    """The declaration arguments of a durable shared queue of ``queue_type``
    (checked), with ``arguments`` (``x_single_active_consumer=True`` ->
    ``x-single-active-consumer``)."""
    declared = {"x-queue-type": checked_queue_type(queue_type, setting)}
    declared.update({name.replace("_", "-"): value for name, value in arguments.items()})
    return declared


def declare_durable(channel, queue, arguments, *, setting, log):
    """Declare the durable ``queue``. A queue already there with other arguments
    (the type, most often, after ``setting`` changed) is refused by the broker:
    that is logged as an error that says what to do, then raised."""
    try:
        return channel.queue_declare(queue, durable=True, arguments=arguments)
    except pika.exceptions.ChannelClosedByBroker as exc:
        if exc.reply_code == PRECONDITION_FAILED:
            log.error(clash_message(queue, arguments.get("x-queue-type"), setting),
                      extra={"queue": queue, "error": exc.reply_text})
        raise


def clash_message(queue, wanted, setting):
    return (f"queue {queue!r} exists with other arguments than {setting}={wanted} declares "
            f"(the broker's answer is in 'error'): a queue's type cannot change in place; "
            f"delete the queue (rabbitmqctl delete_queue {queue}, losing what waits in it) "
            f"or configure a new queue name, then restart")

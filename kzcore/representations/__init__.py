"""The outgoing representations, each defined once as a marshmallow Schema.

One module per representation, one shared instance per schema (a Schema builds its
field table when instantiated: reuse it, never ``Schema()`` per object):

- ``participant``: a live participant as crossbar's participants endpoints and the
  conference's ``_read_only.participants`` show it (DESIGN.md section 3, seed 002);
- ``participant_event``: ecallmgr's Kazoo-format member event (AMQP, seed 002's
  example plus ``account_id`` and the per-action details);
- ``conference_event``: ecallmgr's room event (``conference_event``), the room's and
  a participant's recording events included;
- ``webhook_body``: what the delivery service adds to a bus event in a webhook's body.

Producers dump through the schemas where the cost is small (HTTP responses, webhook
deliveries). ecallmgr's event path is the exception, measured (bench/representations.py):
a dump costs several times what building the payload does, so normalize keeps its
dict and the tests hold every payload it publishes to the schema (``conforms``).
"""


def conforms(schema, payload):
    """The contract violations of an already-built ``payload`` (``{}``: none): a
    missing required field, a field the schema does not declare, a wrong type."""
    return schema.validate(payload)

"""Routing keys of the ``conference`` exchange (pure), shared by every publisher:
``conference.event.{conference_id}.{call_id}`` for a participant,
``conference.event.{conference_id}.conference`` for the room and its document."""
import functools


@functools.lru_cache(maxsize=65536)
def routing_word(text):
    """One word of a topic routing key: dots and wildcards escaped as Kazoo does."""
    return str(text).replace("%", "%25").replace(".", "%2E").replace("*", "%2A").replace("#", "%23")


def participant_routing_key(conference_id, call_id):
    return f"conference.event.{routing_word(conference_id)}.{routing_word(call_id)}"


def conference_routing_key(conference_id):
    return f"conference.event.{routing_word(conference_id)}.conference"

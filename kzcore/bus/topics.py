"""AMQP topic matching (pure): ``*`` is exactly one word, ``#`` zero or more."""
import functools


@functools.lru_cache(maxsize=4096)
def _words(text):
    return tuple(text.split(".")) if text else ()


def matches(binding, routing_key):
    """True if ``routing_key`` matches the topic ``binding`` as RabbitMQ decides."""
    return _match(_words(binding), _words(routing_key))


def _match(pattern, words):
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        # '#' swallows zero or more words: try every split point.
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    if head == "*" or head == words[0]:
        return _match(rest, words[1:])
    return False

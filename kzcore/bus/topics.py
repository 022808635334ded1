"""AMQP topic matching (pure): ``*`` is exactly one word, ``#`` zero or more.

Semantics are RabbitMQ's: keys split on ``.`` (so ``"a."`` is the words
``a`` and the empty word, and the empty key has no words); a binding's ``*``
matches any single word (the empty one too) and its ``#`` any run of words.

The cost is at most linear in binding x key words, whatever the binding: a run
of ``#`` is one ``#`` (``#.#`` matches exactly what ``#`` does), a binding's
literal and ``*`` words each need one key word (too short a key fails at once),
and the walk itself is the greedy wildcard algorithm, which only ever resumes
from the most recent ``#`` (an earlier ``#`` could only absorb words the later
one can absorb too), so no split point is tried twice.
"""
import dataclasses
import functools

HASH, STAR = "#", "*"


@functools.lru_cache(maxsize=4096)
def _words(text):
    return tuple(text.split(".")) if text else ()


@dataclasses.dataclass(frozen=True)
class _Pattern:
    tokens: tuple        # the binding's words, each run of '#' collapsed to one
    has_hash: bool
    min_words: int       # words a matching key needs at least (one per non-'#' token)


@functools.lru_cache(maxsize=4096)
def _compile(binding):
    tokens = []
    for word in _words(binding):
        if word == HASH and tokens and tokens[-1] == HASH:
            continue
        tokens.append(word)
    return _Pattern(tuple(tokens), HASH in tokens, sum(1 for t in tokens if t != HASH))


def matches(binding, routing_key):
    """True if ``routing_key`` matches the topic ``binding`` as RabbitMQ decides."""
    pattern = _compile(binding)
    words = _words(routing_key)
    if not pattern.has_hash:
        return len(words) == len(pattern.tokens) and all(
            token == STAR or token == word for token, word in zip(pattern.tokens, words))
    if len(words) < pattern.min_words:
        return False
    return _match_with_hashes(pattern.tokens, words)


def _match_with_hashes(tokens, words):
    """Greedy wildcard walk: on a mismatch, let the last ``#`` seen swallow one
    more word and resume just after it; O(len(tokens) * len(words)) at worst."""
    t = w = 0
    resume_t = resume_w = None        # token after the last '#', key word it resumes at
    while w < len(words):
        token = tokens[t] if t < len(tokens) else None
        if token == HASH:
            t += 1
            resume_t, resume_w = t, w
        elif token is not None and (token == STAR or token == words[w]):
            t += 1
            w += 1
        elif resume_t is not None:
            resume_w += 1
            t, w = resume_t, resume_w
        else:
            return False
    while t < len(tokens) and tokens[t] == HASH:
        t += 1
    return t == len(tokens)

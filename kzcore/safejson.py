"""JSON from clients with a nesting limit (pure).

``json.loads`` recurses once per level: 10,000 nested arrays raise
``RecursionError`` (a 500 and a traceback per request), and a document that
parses at a depth close to the interpreter's limit can still fail later when it
is encoded, validated or merged. ``loads`` measures the depth on the text first,
with C-level scans only (a regex drops the strings, then a running sum over the
brackets), and refuses anything deeper than ``max_depth`` before parsing.
"""
import itertools
import json
import operator
import re

MAX_DEPTH = 32

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
# after the strings are gone: '[' and '{' -> 2, ']' and '}' -> 0, the rest dropped
_BRACKETS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{]}")


class TooDeep(ValueError):
    """The JSON text nests arrays/objects deeper than allowed."""

    def __init__(self, max_depth):
        super().__init__(f"JSON nested more than {max_depth} levels deep")
        self.max_depth = max_depth


def nesting_depth(text):
    """The deepest nesting of arrays/objects in JSON ``text`` (str or bytes).
    Brackets inside strings do not count. For text that is not JSON the
    answer is an estimate (the parser refuses such text anyway)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    steps = _STRING.sub(b"", raw).translate(_BRACKETS, _NOT_BRACKETS)
    if not steps:
        return 0
    # depth after k brackets = opens - closes = (sum of steps) - k
    return max(map(operator.sub, itertools.accumulate(steps), range(1, len(steps) + 1)))


def loads(text, max_depth=MAX_DEPTH):
    """``json.loads(text)``, refusing text nested deeper than ``max_depth`` with
    ``TooDeep`` (a ValueError, like every other malformed input)."""
    if nesting_depth(text) > max_depth:
        raise TooDeep(max_depth)
    return json.loads(text)

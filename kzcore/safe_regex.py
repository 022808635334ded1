"""Is a client's regular expression safe to run on every dialled number? (PURE)

Resources carry ``rules``: regexes matched against each number dialled through
them. A client writes them, crossbar runs them, so a rule must compile and must
not be able to backtrack catastrophically. Python's ``re`` has no timeout, so
the check is structural, on the parsed pattern (``re._parser``), before it is
ever stored:

- at most ``MAX_LENGTH`` characters, at most ``MAX_REPEAT`` for any ``{m,n}``;
- no backreferences (``\\1``, ``(?P=name)``) and no look-around: neither is
  needed to match a number, and both defeat the reasoning below;
- star height 1: an unbounded repeat (``*``, ``+``, ``{n,}``) may not contain
  another repeat of more than one, and may not contain an alternation
  (``(a+)+``, ``(\\d*)*``, ``(a|a)*`` are the classic exponential shapes).

Bounded repeats of groups (``(\\d{3}){2}``) and optional parts (``(\\+1)?``)
stay allowed: they cannot blow up. Numbers are short (at most 33 characters),
so a pattern passing these rules runs in time polynomial in a tiny input.
"""
import re

try:                                  # Python 3.11+
    from re import _constants as _sre, _parser as _parse
except ImportError:                   # pragma: no cover - older Pythons
    import sre_constants as _sre
    import sre_parse as _parse

MAX_LENGTH = 256
MAX_REPEAT = 64
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None))
_FORBIDDEN = {_sre.GROUPREF: "backreferences are not allowed",
              _sre.GROUPREF_EXISTS: "conditional groups are not allowed",
              _sre.ASSERT: "look-ahead/look-behind is not allowed",
              _sre.ASSERT_NOT: "look-ahead/look-behind is not allowed"}


class UnsafeRegex(ValueError):
    """Why a pattern is refused (the message is shown to the client)."""


def check(pattern):
    """``pattern`` compiled, or UnsafeRegex saying why it is refused."""
    if not isinstance(pattern, str) or not pattern:
        raise UnsafeRegex("must be a non-empty string")
    if len(pattern) > MAX_LENGTH:
        raise UnsafeRegex(f"must be at most {MAX_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
        parsed = _parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise UnsafeRegex(f"is not a valid regular expression: {exc}") from None
    _walk(parsed, inside_unbounded=False)
    return compiled


def _walk(items, inside_unbounded):
    for op, arg in items:
        if op in _FORBIDDEN:
            raise UnsafeRegex(_FORBIDDEN[op])
        if op in _REPEATS and op is not None:
            low, high, body = arg
            unbounded = high == _sre.MAXREPEAT
            if (not unbounded and high > MAX_REPEAT) or low > MAX_REPEAT:
                raise UnsafeRegex(f"repeat counts may be at most {MAX_REPEAT}")
            if inside_unbounded and (unbounded or high > 1):
                raise UnsafeRegex("nested repeats (such as (a+)+) can backtrack "
                                  "catastrophically")
            _walk(body, inside_unbounded or unbounded)
        elif op == _sre.BRANCH:
            if inside_unbounded:
                raise UnsafeRegex("an alternation inside an unbounded repeat (such as "
                                  "(a|b)*) can backtrack catastrophically")
            for branch in arg[1]:
                _walk(branch, inside_unbounded)
        elif op == _sre.SUBPATTERN:
            _walk(arg[-1], inside_unbounded)
        elif op == getattr(_sre, "ATOMIC_GROUP", None):
            _walk(arg, inside_unbounded)

"""FreeSWITCH's argument splitting (src/switch_utils.c), rule for rule.

`switch_separate_string(buf, delim, array, arraylen)`:
- a leading ``^^X`` (X followed by at least one more byte) makes X the delimiter;
- on a space, `separate_string_blank_delim`: runs of spaces separate; a backslash
  steps over the next byte; every ``'`` toggles "inside quotes" (no lookahead here);
- on any other delimiter, `separate_string_char_delim`: each delimiter separates; a
  ``'`` toggles only when inside quotes or when another ``'`` follows in the buffer;
- the last of `arraylen` arguments runs to the end of the line;
- each argument then goes through `cleanup_separated_string`: leading spaces and
  trailing unquoted spaces go, a ``'`` that has a closing ``'`` after it in the
  argument opens a group (the quotes are dropped), and ``\\'``, ``\\"``, ``\\\\``,
  backslash + delimiter, ``\\n`` ``\\r`` ``\\t`` ``\\s`` are unescaped; any other
  backslash stays as it is.
mod_conference splits its api line this way with arraylen 25.
"""
ESCAPE = "\\"
UNESCAPED = {"n": "\n", "r": "\r", "t": "\t", "s": " "}


def separate_string(buf, delim=" ", arraylen=1024):
    """The cleaned arguments of `buf`, as `switch_separate_string` returns them."""
    return [arg for _, arg in separate_with_offsets(buf, delim, arraylen)]


def separate_with_offsets(buf, delim=" ", arraylen=1024):
    """[(offset in `buf` where the raw argument starts, cleaned argument)]."""
    skip = 0
    if buf.startswith("^^") and len(buf) >= 4:
        delim, skip = buf[2], 3
    text = buf[skip:]
    if delim == " ":
        spans, cleanup_delim = _blank_spans(text, arraylen), ""
    else:
        spans, cleanup_delim = _char_spans(text, delim, arraylen), delim
    return [(skip + start, cleanup_separated_string(text[start:end], cleanup_delim))
            for start, end in spans]


def _blank_spans(text, arraylen):
    """separate_string_blank_delim's split, as (start, end) slices of `text`."""
    spans, state, inside, i, n = [], "start", False, 0, len(text)
    while i < n and len(spans) < arraylen:
        c = text[i]
        if state == "start":
            spans.append([i, n])
            state = "skip_initial"
        elif state in ("skip_initial", "skip_ending") and c == " ":
            i += 1
        elif state == "skip_ending":
            state = "start"
        elif state == "skip_initial":
            state = "find_delim"
        else:
            if c == ESCAPE:
                i += 1
            elif c == "'":
                inside = not inside
            elif c == " " and not inside:
                spans[-1][1] = i
                state = "skip_ending"
            i += 1
    return [(start, min(end, n)) for start, end in spans]


def _char_spans(text, delim, arraylen):
    """separate_string_char_delim's split: quotes need a closing quote ahead."""
    spans, started, inside, i, n = [], False, False, 0, len(text)
    while i < n and len(spans) < arraylen:
        if not started:
            spans.append([i, n])
            started = True
            continue
        c = text[i]
        if c == ESCAPE:
            i += 1
        elif c == "'" and (inside or "'" in text[i + 1:]):
            inside = not inside
        elif c == delim and not inside:
            spans[-1][1] = i
            started = False
        i += 1
    return [(start, min(end, n)) for start, end in spans]


def cleanup_separated_string(arg, delim=""):
    """Strip quotes, escapes and leading / trailing spaces of one raw argument."""
    i, n = 0, len(arg)
    while i < n and arg[i] == " ":
        i += 1
    out, end, inside = [], None, False
    while i < n:
        c = arg[i]
        nxt = arg[i + 1] if i + 1 < n else ""
        if c == ESCAPE and nxt and (nxt in ("'", '"', ESCAPE) or nxt == delim
                                    or nxt in UNESCAPED):
            out.append(UNESCAPED.get(nxt, nxt))
            end = len(out)
            i += 2
            continue
        if c == "'" and (inside or "'" in arg[i + 1:]):
            inside = not inside
            if inside:
                end = len(out)
        else:
            out.append(c)
            if c != " " or inside:
                end = len(out)
        i += 1
    return "".join(out if end is None else out[:end])

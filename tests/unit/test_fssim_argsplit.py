"""fssim.argsplit mirrors switch_separate_string / cleanup_separated_string
(src/switch_utils.c); the cases are worked through the C source by hand."""
import pytest

from fssim.argsplit import cleanup_separated_string, separate_string, separate_with_offsets


@pytest.mark.parametrize("line, expected", [
    # a quoted group is one argument, its quotes stripped (what fs_commands sends)
    ("room1 bgdial user/1000@d 5551212 'Conference XYZ'",
     ["room1", "bgdial", "user/1000@d", "5551212", "Conference XYZ"]),
    # runs of spaces are one separator; leading and trailing spaces vanish
    ("  a   b  ", ["a", "b"]),
    ("", []),
    ("   ", [""]),
    # backslash escapes: \s is a space, \' a quote; backslash-space does not split
    # and, the blank cleanup not knowing the delimiter, keeps its backslash
    (r"a\sb", ["a b"]),
    (r"'it\'s here' x", ["it's here", "x"]),
    (r"a\ b c", [r"a\ b", "c"]),
    (r"a\qb", [r"a\qb"]),
    # a lone quote has no closing quote: the blank split still toggles (the rest of
    # the line is one argument), the cleanup keeps the quote as a character
    ("5551212 O'Brien and co", ["5551212", "O'Brien and co"]),
    # two apostrophes in one argument pair up as quotes
    ("D'Arcy O'Neil", ["DArcy ONeil"]),
    # quotes in the middle of a word group too; '' is an empty argument
    ("x='a b'c d", ["x=a bc", "d"]),
    ("a '' b", ["a", "", "b"]),
    # a quoted group's inner trailing spaces survive, outer ones do not
    ("'a ' b", ["a ", "b"]),
    # ^^X switches the delimiter
    ("^^:a:b c", ["a", "b c"]),
    ("^^:", ["^^:"]),
])
def test_blank_split(line, expected):
    assert separate_string(line) == expected


def test_limit_keeps_the_rest_of_the_line_in_the_last_argument():
    assert separate_string("a b  c 'd e'", " ", 2) == ["a", "b  c d e"]
    assert separate_string("a b c", " ", 3) == ["a", "b", "c"]


def test_char_delimiter_quotes_need_a_closing_quote_ahead():
    assert separate_string(r"x=1,y=a\,b,z='p,q'", ",") == ["x=1", "y=a,b", "z=p,q"]
    assert separate_string("k=v=w", "=", 2) == ["k", "v=w"]
    # no closing quote ahead: the quote is an ordinary character and ',' still splits
    assert separate_string("a'b,c", ",") == ["a'b", "c"]


def test_cleanup_alone():
    assert cleanup_separated_string("  'Conference XYZ'  ") == "Conference XYZ"
    assert cleanup_separated_string(r"a\,b", ",") == "a,b"
    assert cleanup_separated_string(r"a\,b") == r"a\,b"
    assert cleanup_separated_string(r"tab\there\nnl\\") == "tab\there\nnl\\"


def test_offsets_point_at_the_raw_arguments():
    line = "room1  say 'hello there'  now"
    got = separate_with_offsets(line)
    assert [arg for _, arg in got] == ["room1", "say", "hello there", "now"]
    assert [line[offset:].split(" ")[0] for offset, _ in got] == ["room1", "say", "'hello", "now"]

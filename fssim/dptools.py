"""mod_dptools applications with their recorded behaviour: play_and_get_digits."""
import re


def parse_pagd(arg):
    """'<min> <max> <tries> <timeout_ms> <terminators> <file> <invalid_file> <var>
    <regexp> [<digit_timeout_ms>]' -> dict."""
    words = arg.split()
    if len(words) < 9:
        raise ValueError("play_and_get_digits needs at least 9 arguments")
    return {"min": int(words[0]), "max": int(words[1]), "tries": int(words[2]),
            "timeout": int(words[3]) / 1000.0, "terminators": words[4], "file": words[5],
            "invalid_file": words[6], "var": words[7], "regexp": words[8],
            "digit_timeout": int(words[9]) / 1000.0 if len(words) > 9 else
            int(words[3]) / 1000.0}


def _collect(channel, spec):
    """One attempt: -> (digits, terminator or None, ended_by)."""
    digits = ""
    wait = spec["timeout"]
    while len(digits) < spec["max"]:
        digit = channel.read_dtmf(wait)
        if digit is None:
            return digits, None, "hangup" if not channel.is_up else "timeout"
        if digit in spec["terminators"]:
            return digits, digit, "terminator"
        digits += digit
        wait = spec["digit_timeout"]
    return digits, None, "max"


def play_and_get_digits(channel, arg):
    """Digits go to variable <var>; read_result is success / timeout / failure;
    read_terminator_used only when a terminator ended the read. A caller hanging up
    mid-read still leaves what was pressed, with read_result success (as recorded)."""
    spec = parse_pagd(arg)
    channel.set_variable("current_loop", "1")
    channel.set_variable("total_loops", "1")
    for attempt in range(max(1, spec["tries"])):
        channel.playback(spec["file"])
        digits, terminator, ended = _collect(channel, spec)
        valid = len(digits) >= spec["min"] and re.fullmatch(spec["regexp"], digits)
        if valid or (ended == "hangup" and digits):
            if terminator:
                channel.set_variable("read_terminator_used", terminator)
            result = "timeout" if ended == "timeout" else "success"
            channel.set_variable("read_result", result)
            channel.set_variable(spec["var"], digits)
            return "_none_"
        if not channel.is_up:
            break
        if attempt + 1 < spec["tries"] and spec["invalid_file"] != "silence_stream://250":
            channel.playback(spec["invalid_file"])
    channel.set_variable("read_result", "failure")
    return "_none_"

"""Builders for the participant and playback controls beyond Kazoo's (PURE):
hold / unhold, dtmf, pause_play / play_status, enter_sound / exit_sound, and the
transfer of members to another room. ``kzcore.fs_commands.ACTIONS`` lists them;
each returns the words after ``conference <name>``.

Recorded replies (fixtures round2 hold, round4 STEPS.txt): ``hold <id> <file>`` ->
"+OK hold <id>"; ``unhold <id>``; ``dtmf <id|all> <digits>`` -> "+OK sent 123 to
899"; ``pause_play`` toggles ("+OK Pause" / "+OK Resume"); ``play_status`` ->
"+OK <pos>/<len> <file>"; ``enter_sound off`` -> "+OK <room> enter sounds off (...)";
``transfer <room> <id>`` -> "+OK Member '901' sent to conference <room>.".

``transfer <room>@<profile>+flags{a|b} <id>`` is not shown by any fixture: it is
mod_conference's own syntax (conference_api_sub_transfer sends the channel to
``conference:<room>@<profile>`` with argv[2] as given; conference_function then
reads ``+flags{...}`` and the profile after the last ``@``, and fetches the
profile for that room and profile name over mod_xml_curl).
"""
import re

from kzcore.fs_commands.apps import MEMBER_FLAGS
from kzcore.fs_commands.validate import (PROFILE_NAME, invalid, playable_media,
                                         valid_conference_name, valid_member_id)

# mod_conference queues each character as a DTMF digit; these are the DTMF digits.
DTMF_DIGITS = re.compile(r"[0-9*#ABCD]{1,64}")
SOUND_STATES = {True: "on", False: "off", "on": "on", "off": "off"}


def valid_dtmf(value, field="digits"):
    if not isinstance(value, str) or not DTMF_DIGITS.fullmatch(value):
        raise invalid(field, "must be 1-64 DTMF digits: 0-9, *, #, A, B, C, D", value)
    return value


def hold(member, path=None):
    """``hold <id> [<file>]``: the member is not heard and hears ``path`` until unhold."""
    words = ["hold", valid_member_id(member)]
    return words + ([playable_media(path)] if path is not None else [])


def unhold(member):
    return ["unhold", valid_member_id(member)]


def dtmf(member, digits):
    return ["dtmf", valid_member_id(member), valid_dtmf(digits)]


def on_current_file(word):
    """pause_play / play_status of the room's current file, or of one member's."""
    def action(member=None):
        return [word] + ([valid_member_id(member, keywords=())] if member is not None else [])
    return action


def sounds(word):
    """enter_sound / exit_sound on|off for the running room."""
    def action(state):
        if isinstance(state, (bool, str)) and state in SOUND_STATES:
            return [word, SOUND_STATES[state]]
        raise invalid("state", "must be on, off, true or false", state)
    return action


def valid_join_flags(flags, field="flags"):
    """Member flags for ``+flags{...}``: only the ones mod_conference knows."""
    if isinstance(flags, str) or not isinstance(flags, (list, tuple)):
        raise invalid(field, "must be a list of member flags", flags)
    for flag in flags:
        if flag not in MEMBER_FLAGS:
            raise invalid(field, "must be mod_conference member flags such as mute, deaf, "
                                 "moderator", flag)
    return list(dict.fromkeys(flags))


def transfer_target(target_conference, profile=None, flags=()):
    """``room``, ``room@profile`` or ``room@profile+flags{a|b}`` (one argument)."""
    if profile is None and not flags and isinstance(target_conference, str) \
            and "@" in target_conference:   # the caller wrote room@profile itself
        target_conference, _, profile = target_conference.partition("@")
        if not PROFILE_NAME.fullmatch(profile):
            raise invalid("target_conference", "profile after '@' may only hold letters, "
                                               "digits, '_', '.', '-'", profile)
    target = valid_conference_name(target_conference, "target_conference")
    if profile is not None:
        if not isinstance(profile, str) or not PROFILE_NAME.fullmatch(profile):
            raise invalid("profile", "may only hold letters, digits, '_', '.', '-' (1-64)",
                          profile)
        target += f"@{profile}"
    flags = valid_join_flags(flags)
    if flags:
        if profile is None:
            raise invalid("flags", "join flags need the target's profile")
        target += "+flags{" + "|".join(flags) + "}"
    return target


def transfer(target_conference, members, profile=None, flags=()):
    members = members if isinstance(members, (list, tuple)) else [members]
    if not members:
        raise invalid("members", "at least one member id is needed")
    return ["transfer", transfer_target(target_conference, profile, flags)] + \
        [valid_member_id(m, "members", keywords=()) for m in members]

"""Actions on one participant (PUT /conferences/{id}/participants/{participant_id}):
one table, each entry ``handler(target, params) -> FreeSWITCH's text`` (answered 202).

Member commands go to the room without reading it first: FreeSWITCH itself says
whether the member is there ("-ERR Non-Existant ID", "Member: N not found": 404).
``move`` and ``supervise`` read the room (crossbar.participants.move / .supervise).
"""
import dataclasses
import re

from crossbar.lifecycle.participant import set_end_on_exit
from crossbar.live import split
from crossbar.live.state import fs_name
from crossbar.participants import hold, move, supervise
from kzcore.errors import NotFound, NotRunning, SwitchRefused
from kzcore.lifecycle import END_ON_EXIT_FLAG

# FreeSWITCH's ways of saying that a member id is not in the room
MEMBER_MISSING = re.compile(r"Non-Existant ID|Member: \d+ not found|Unknown Member|No Member \d+",
                            re.I)


@dataclasses.dataclass(frozen=True)
class Target:
    """The participant an action is for, and what the handlers need to reach it.
    ``node``: the node a node-qualified id named (crossbar.live.split), else None.
    The member's node is looked up (every node asked) only once the handler has
    checked its arguments: bad input never costs a look at the switch."""
    ctx: object
    live: object
    account_id: str
    conference_id: str
    member_id: int
    node: str = None

    def missing(self):
        return NotFound("participant not found", {"cause": str(self.member_id),
                                                  "conference_id": self.conference_id})

    def command(self, verb, **args):
        """The member command on the room's node: the remembered one first
        (crossbar.live.room_cache), if it names no other node than a qualified id
        does; "not found" there, or no such member there, looks on every node."""
        name = fs_name(self.account_id, self.conference_id)
        hinted = self.live.hinted(self.account_id, self.conference_id)
        refusal = None                     # the hinted node's "no such member"
        if hinted is not None and self.node in (None, hinted.node):
            try:
                return self.live.send_to(hinted.node, name, self.conference_id, verb, **args)
            except NotRunning:
                pass                       # forgotten by send_to
            except SwitchRefused as refused:
                if not MEMBER_MISSING.search(refused.message):
                    raise
                self.live.rooms.forget(name, hinted.node)   # maybe a copy started elsewhere
                refusal = (hinted.node, refused)
        located = self.live.where(self.account_id, self.conference_id)
        node = split.member_node(located, self.node, self.member_id) if located else None
        if node is None:
            raise self.missing()
        if refusal and node == refusal[0] and len(located.all_copies) == 1:
            raise refusal[1]               # its only copy already answered: not asked twice
        try:
            return self.live.send_to(node, name, self.conference_id, verb, **args)
        except NotRunning:
            raise self.missing() from None

    def located(self):
        """The member's copy of the room, read (json_list); NotRunning / 404 if gone."""
        found = self.live.running(self.account_id, self.conference_id, copies=True)
        copy = found.on(split.member_node(found, self.node, self.member_id) or "")
        if copy is None:
            raise self.missing()
        return copy


def _verb(verb):
    return lambda target, params: target.command(verb, member=target.member_id)


def _play(target, params):
    verb, args = target.live.media.play_action(target.account_id, params["media_id"],
                                               member=target.member_id)
    return target.command(verb, **args)


def _level(verb):
    return lambda target, params: target.command(verb, member=target.member_id,
                                                 level=params["level"])


def _dtmf(target, params):
    return target.command("dtmf", member=target.member_id, digits=params["digits"])


def _record(target, params):
    """Record the participant on its own file (crossbar.recordings.participants)."""
    from crossbar.recordings import runtime
    return runtime.parts(target.live).participants.record(
        target.ctx, target.account_id, target.conference_id, target.member_id, params)


def _stop_play(target, params):
    return target.command("stop", which=params["which"], member=target.member_id)


def _end_on_exit(target, params):
    """The lifecycle's flag (crossbar.lifecycle.participant): nothing goes to the switch."""
    data, _accepted = set_end_on_exit(target.live, target.account_id, target.conference_id,
                                      str(target.member_id), params)
    return data


ACTIONS = {
    "mute": _verb("mute"), "unmute": _verb("unmute"), "deaf": _verb("deaf"),
    "undeaf": _verb("undeaf"), "kick": _verb("kick"), "play": _play,
    "hold": hold.hold, "unhold": _verb("unhold"), "dtmf": _dtmf,
    "volume_in": _level("volume_in"), "volume_out": _level("volume_out"),
    "energy": _level("energy"), "stop_play": _stop_play,
    "move": move.move, "supervise": supervise.supervise, END_ON_EXIT_FLAG: _end_on_exit,
    "record": _record,
}

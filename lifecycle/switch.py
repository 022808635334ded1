"""The lifecycle service's ESL side: read rooms, end rooms, kick waiting members.

Commands go through ``kzcore.fs_commands`` on the service's own ESL pool (one
connection per node, commands only); every reply is judged by ``fs_replies``.
Ending is the same two commands crossbar's ``end`` sends (``kzcore.lifecycle.
end_commands``): they are idempotent, and a room that is gone says so.
"""
import logging

from kzcore import fs_commands, fs_replies
from kzcore.errors import SwitchRefused, SwitchUnavailable
from kzcore.lifecycle import end_commands, nobody_left
from kzcore.naming import parse_fs_conference_name

log = logging.getLogger(__name__)


class Switch:
    def __init__(self, pool, timeout=5.0):
        self.pool, self.timeout = pool, timeout

    def nodes(self):
        return self.pool.names()

    def all_rooms(self):
        """``({(account_id, conference_id): (node, room)}, unanswered nodes)`` of this
        system's rooms on every node."""
        replies = self.pool.api_all(fs_commands.api_json_list_all(), timeout=self.timeout)
        found, failed = {}, []
        for node, reply in replies.items():
            if isinstance(reply, Exception):
                failed.append(node)
                continue
            for room in fs_replies.parse_json_list(reply):
                owner = parse_fs_conference_name(room.get("conference_name"))
                if owner is not None:
                    found.setdefault(owner, (node, room))
        return found, sorted(failed)

    def room(self, node, name):
        """The room's json_list entry on ``node``; None if it is not there.
        SwitchUnavailable if the node did not answer."""
        reply = self.pool.api(node, fs_commands.build(name, "json_list"), timeout=self.timeout)
        for room in fs_replies.parse_json_list(reply):
            if room.get("conference_name") == name:
                return room
        return None

    def end(self, node, name, reason):
        """Set the room's end reason, then hang everyone up. False if the room was gone."""
        for action, args in end_commands(reason):
            command = fs_commands.build(name, action, **args)
            reply = self.pool.api(node, command, timeout=self.timeout)
            if fs_replies.is_conference_not_found(reply):
                return False
            if not nobody_left(action, fs_replies.classify(reply, command).text):
                fs_replies.check(reply, command)
        log.info("room ended", extra={"node": node, "conference_name": name, "end_reason": reason})
        return True

    def kick(self, node, name, member_id, sound=None):
        """Tell one member goodbye and hang them up; False if the member or room is gone."""
        command = fs_commands.build(name, "kick", member=member_id, sound=sound)
        try:
            reply = self.pool.api(node, command, timeout=self.timeout)
            fs_replies.check(reply, command)
        except SwitchRefused as refused:
            log.info("kick refused", extra={"node": node, "command": command,
                                            "reply": refused.message})
            return False
        except SwitchUnavailable:
            return False
        return True

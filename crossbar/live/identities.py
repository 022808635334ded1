"""Dialled members' identities for the API's participant lists.

json_list names every dialled leg "Outbound Call" (``caller_id_number``
"default" for a loopback leg), while the member events show who was dialled
(ecallmgr.normalize). So that one member has one identity, crossbar reads a
dialled member's channel once (``uuid_dump <call id>``, on the node that hosts
it) and applies the events' own rule (kzcore.dialled) to its Caller-* headers.

A channel's caller profile does not change while it lives, so what was read is
kept per (node, call id) -- at most ``size`` entries, the oldest dropped first;
this is the identity of a live call, never a stale copy of changing state. A
dump that fails (the call just ended, the node did not answer) leaves the
member as json_list shows it and is tried again next time.
"""
import collections
import logging

import gevent

from kzcore import dialled, fs_commands
from kzcore.esl.frames import parse_headers

log = logging.getLogger(__name__)
DEFAULT_SIZE = 10000


class DialledIdentities:
    def __init__(self, pool, timeout, size=DEFAULT_SIZE):
        self.pool, self.timeout, self.size = pool, timeout, size
        self._known = collections.OrderedDict()   # (node, call id) -> (name, number)

    def of(self, copies):
        """``{call id: (name, number)}`` of the dialled members of every copy
        (crossbar.live.located.Located with json_list data)."""
        wanted = [(copy.node, member.get("uuid"), member.get("caller_id_number"))
                  for copy in copies for member in (copy.conference or {}).get("members") or []
                  if dialled.is_dialled(member.get("caller_id_name")) and member.get("uuid")]
        missing = [item for item in wanted if item[:2] not in self._known]
        reads = [gevent.spawn(self._read, *item) for item in missing]
        gevent.joinall(reads)
        return {call_id: self._known[(node, call_id)] for node, call_id, _ in wanted
                if (node, call_id) in self._known}

    def _read(self, node, call_id, number):
        try:
            fs_commands.valid_call_id(call_id, "call_id")
            text = self.pool.api(node, fs_commands.api_uuid_dump(call_id), timeout=self.timeout)
        except Exception as error:  # noqa: BLE001 - json_list's view stands meanwhile
            log.info("dialled member's channel not read", extra={
                "node": node, "call_id": call_id, "error": str(error)})
            return
        if text.startswith(("-ERR", "-USAGE")) or ": " not in text:
            return
        headers = parse_headers(text, decode=True)
        self._known[(node, call_id)] = dialled.dialled_party(headers, number)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

"""``LiveConferences``: live state and commands for the account's conferences.

Every lookup goes through the FreeSWITCH name ``{account_id}_{conference_id}``
(kzcore.naming), so an account can only ever reach rooms named after itself.
A conference is looked for on every node at once (one ``json_list`` per node);
commands go to the node that hosts it. Where a room was found is remembered for
a few seconds (``RoomCache``) as a hint: the node it names is asked first, and
only an answer from every node makes a room "not running". Every reply is
judged by fs_replies: never a silent success.
"""
import dataclasses
import logging
import time

from crossbar.live import state
from crossbar.live.dial_watch import DialWatcher
from crossbar.live.dialing import Dialer
from crossbar.live.dynamic_rooms import DynamicRooms
from crossbar.live.media import MediaLinks, MediaSource
from crossbar.live.recordings import Recordings
from crossbar.live.room_cache import DEFAULT_TTL, RoomCache
from crossbar.live.state import fs_name
from kzcore import fs_commands, fs_replies
from kzcore.errors import NotFound, NotRunning, SwitchRefused, SwitchUnavailable

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Located:
    """A running conference: where it is and (when asked for) what json_list said
    about it; ``conference`` is None when only its node was looked up."""
    account_id: str
    conference_id: str
    name: str
    node: str
    conference: dict = None


def _failed_nodes(replies):
    return sorted(node for node, reply in replies.items() if isinstance(reply, Exception))


class LiveConferences:
    """The ``live`` object of ``create_app``: used by realtime (``conference_state``,
    ``account_states``), conference actions and participant operations."""

    def __init__(self, pool, store, config, signer=None, *, watcher=None, media_secret=None,
                 clock=time.time, rooms=None):
        self.pool, self.store, self.config = pool, store, config
        self.timeout = getattr(config, "esl_timeout", 5.0)
        self.clock = clock
        if rooms is None:
            rooms = RoomCache(time.monotonic, getattr(config, "room_cache_ttl", DEFAULT_TTL))
        self.rooms = rooms
        self.media = MediaSource(store, MediaLinks(media_secret or _media_secret(config, signer)),
                                 config.base_url)
        self.document_events = None  # doc_events.DocumentEvents of the app (use_document_events)
        self.watcher = watcher or DialWatcher(self._event_pool)
        self.recordings = Recordings(store, config, clock, watcher=self.watcher)
        self.dialer = Dialer(self, self.watcher)
        self.resync = None   # carriers: crossbar.resources.sync.ResyncOnReconnect (compose)
        self.dynamic_rooms = DynamicRooms(self, grace=getattr(config, "dynamic_grace", 5.0),
                                          interval=getattr(config, "dynamic_sweep_interval", 60.0),
                                          clock=clock)

    def use_document_events(self, events):
        """The conference documents this part writes itself (dynamic conferences:
        created by a dial, removed once their room has ended) publish their
        doc_created / doc_deleted through ``events`` (None: not published)."""
        self.document_events = events

    def start(self):
        """Start the background work: removing dynamic conferences whose room has
        ended (it starts the event watcher, so room ends are seen from now on)."""
        self.dynamic_rooms.start()
        return self

    def _event_pool(self, **subscription):
        """A second set of ESL connections, for the events dial-outs and recordings
        are judged by (``subscription``: events, filters and callbacks of the watcher)."""
        from kzcore.esl.pool import EslPool
        return EslPool(self.config.nodes, timeout=self.timeout, **subscription)

    def blueprints(self):
        """The routes this part adds to crossbar (media links, recording downloads)."""
        from crossbar.live.routes import create_blueprint
        return [create_blueprint()]

    def close(self):
        """Stop the cleanup, the dial watcher's connections and the command pool."""
        if self.resync is not None:
            self.resync.close()
        self.dynamic_rooms.close()
        if getattr(self, "_recording_parts", None) is not None:
            self._recording_parts.close()
        self.watcher.close()
        self.pool.close()

    # --- finding rooms -------------------------------------------------------
    def locate(self, account_id, conference_id):
        """Located, or None when every node answered that it does not host it.
        The remembered node is asked alone first; any other answer asks them all."""
        name = fs_name(account_id, conference_id)
        command = fs_commands.build(name, "json_list")
        node = self.rooms.get(name)
        if node is not None:
            try:
                reply = self.pool.api(node, command, timeout=self.timeout)
            except SwitchUnavailable as error:
                reply = error
            located = self._listed(account_id, conference_id, name, {node: reply})
            if located is not None:
                return located
            self.rooms.forget(name, node)
        replies = self.pool.api_all(command, timeout=self.timeout)
        located = self._listed(account_id, conference_id, name, replies)
        if located is None:
            _raise_if_unanswered(replies, conference_id)
        return located

    def _listed(self, account_id, conference_id, name, replies):
        for node, reply in replies.items():
            if isinstance(reply, Exception):
                continue
            for conference in fs_replies.parse_json_list(reply):
                if conference.get("conference_name") == name:
                    self.rooms.put(name, node)
                    return Located(account_id, conference_id, name, node, conference)
        return None

    def where(self, account_id, conference_id):
        """Located without member data (``conference <name> list count`` to every
        node: a few bytes instead of the whole json_list), or None. Always asks."""
        name = fs_name(account_id, conference_id)
        replies = self.pool.api_all(fs_commands.build(name, "count"), timeout=self.timeout)
        for node, reply in replies.items():
            if not isinstance(reply, Exception) and reply.strip().isdigit():
                self.rooms.put(name, node)
                return Located(account_id, conference_id, name, node)
        self.rooms.forget(name)
        _raise_if_unanswered(replies, conference_id)
        return None

    def running(self, account_id, conference, members=True):
        """Located for a stored conference (dict) or a dynamic one (its id);
        NotRunning for a stored one that runs nowhere, NotFound for an unknown id.
        ``members=False`` only finds the node (enough for room-wide commands)."""
        find = self.locate if members else self.where
        located = find(account_id, _conference_id(conference))
        if located is None:
            raise not_running(conference)
        return located

    # --- the realtime seam -----------------------------------------------------
    def conference_state(self, account_id, conference_id):
        """The room's live state; when it is on no node that answered and some node
        did not, an explicit unknown state (a read degrades, an action is a 503)."""
        try:
            located = self.locate(account_id, conference_id)
        except SwitchUnavailable as down:
            nodes = down.data.get("nodes") or self.pool.names()
            log.warning("live state unknown", extra={"account_id": account_id,
                                                     "conference_id": conference_id,
                                                     "unreachable_nodes": nodes})
            return state.unknown_state(nodes)
        if located is None:
            return None
        return state.conference_state(located.conference, located.node, self.clock())

    def account_states(self, account_id):
        """``AccountStates``: one ``conference json_list`` per node; the rooms of
        nodes that did not answer are left out and those nodes named."""
        replies = self.pool.api_all(fs_commands.api_json_list_all(), timeout=self.timeout)
        failed = _failed_nodes(replies)
        if failed:
            log.warning("live list incomplete", extra={"account_id": account_id,
                                                       "unreachable_nodes": failed})
        listing = {node: fs_replies.parse_json_list(reply) for node, reply in replies.items()
                   if not isinstance(reply, Exception)}
        now = self.clock()
        return state.AccountStates(
            {conference_id: state.conference_state(conference, node, now)
             for conference_id, (node, conference)
             in state.account_conferences(listing, account_id).items()}, failed)

    # --- commands ----------------------------------------------------------------
    def command(self, account_id, conference, action, /, *, missing=None, **args):
        """Run one command on the room without reading it first; FreeSWITCH's text back.

        The remembered node (RoomCache) is tried first, if connected. If it answers
        that the room is not there (the hint is dropped), or without a hint, every
        node is asked and the command sent where the room is. (A node that fails
        after the command went out is not retried elsewhere: it may have run it.)
        ``missing()`` gives the error for a room that runs nowhere (default:
        ``not_running(conference)``)."""
        conference_id = _conference_id(conference)
        name = fs_name(account_id, conference_id)
        node = self.rooms.get(name)
        if node is not None and node in self.pool.connected_names():
            try:
                return self.send_to(node, name, conference_id, action, **args)
            except NotRunning:
                log.info("room not where it was last seen",
                         extra={"node": node, "conference_name": name})
        located = self.where(account_id, conference_id)
        if located is None:
            raise missing() if missing else not_running(conference)
        return self.send(located, action, **args)

    def send(self, located, action, **args):
        """Run one mod_conference command where the room is; FreeSWITCH's text back."""
        return self.send_to(located.node, located.name, located.conference_id, action, **args)

    def send_to(self, node, name, conference_id, action, **args):
        command = fs_commands.build(name, action, **args)
        body = self.pool.api(node, command, timeout=self.timeout)
        if fs_replies.is_conference_not_found(body):
            self.rooms.forget(name, node)
            raise NotRunning(f"conference {conference_id} is not running",
                             {"conference_id": conference_id})
        try:
            text = fs_replies.check(body, command)
        except SwitchRefused as refused:
            log.info("FreeSWITCH refused", extra={"node": node, "command": command,
                                                 "reply": refused.message})
            raise SwitchRefused(refused.message, {"command": command}) from None
        log.info("conference command", extra={"node": node, "command": command})
        return text

    def pick_node(self):
        """Where a new room goes: the first connected node, in configured order."""
        connected = self.pool.connected_names()
        if not connected:
            raise SwitchUnavailable("no FreeSWITCH node is connected")
        return connected[0]


def _conference_id(conference):
    return conference if isinstance(conference, str) else conference["_id"]


def not_running(conference):
    """The error for a room on no node: NotFound for a dynamic conference (an id
    with no document), NotRunning (409) for a stored one."""
    if isinstance(conference, str):
        return NotFound("conference not found", {"cause": conference})
    return NotRunning(f"conference {conference['_id']} is not running",
                      {"conference_id": conference["_id"]})


def _raise_if_unanswered(replies, conference_id):
    """A room found nowhere is only 'not running' if every node answered."""
    failed = _failed_nodes(replies)
    if failed:
        raise SwitchUnavailable(f"FreeSWITCH node(s) {', '.join(failed)} did not answer; "
                                f"cannot tell whether conference {conference_id} is running",
                                {"nodes": failed})


def _media_secret(config, signer):
    """The key media links are signed with: derived (in MediaLinks) from the token secret."""
    secret = getattr(config, "token_secret", "") or getattr(signer, "_key", None)
    if not secret:
        raise ValueError("LiveConferences needs a token secret (config.token_secret or a signer)")
    return secret

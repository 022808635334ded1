"""``LiveConferences``: live state and commands for the account's conferences.

Every lookup goes through the FreeSWITCH name ``{account_id}_{conference_id}``
(kzcore.naming), so an account can only ever reach rooms named after itself.
A conference is looked for on every node at once (one ``json_list`` or ``list
count`` per node): a room may run on two nodes (crossbar.live.split), and only
an answer from every node tells. Commands go to the node that hosts it; a
room-wide command to a room on several nodes goes to each of them. A room found
on one node is remembered as a hint (crossbar.live.room_cache: dropped by the
room's conference-create/-destroy on any node, and by the switch's "not found"),
so commands do not ask every node first. New rooms go where kzcore.placement
says (the conference's focus). Every reply is judged by fs_replies: never a
silent success.
"""
import logging
import time

from crossbar.live import located as locating, split, state
from crossbar.live.dial_watch import DialWatcher
from crossbar.live.dialing import Dialer
from crossbar.live.dynamic_rooms import DynamicRooms
from crossbar.live.identities import DialledIdentities
from crossbar.live.located import Located  # noqa: F401 - the type every lookup returns
from crossbar.live.media import MediaLinks, MediaSource
from crossbar.live.recordings import Recordings
from crossbar.live.room_cache import DEFAULT_TTL, RoomCache
from crossbar.live.state import fs_name
from kzcore import fs_commands, fs_replies, placement
from kzcore.errors import NotFound, NotRunning, SwitchRefused, SwitchUnavailable

log = logging.getLogger(__name__)


def _failed_nodes(replies):
    return sorted(node for node, reply in replies.items() if isinstance(reply, Exception))


class LiveConferences:
    """The ``live`` object of ``create_app``: used by realtime (``conference_state``,
    ``account_states``), conference actions and participant operations."""

    def __init__(self, pool, store, config, signer=None, *, watcher=None, media_secret=None,
                 clock=time.time):
        self.pool, self.store, self.config = pool, store, config
        self.timeout = getattr(config, "esl_timeout", 5.0)
        self.clock = clock
        self.placement = placement.Placement(pool.names(), getattr(config, "focus_rule",
                                                                   placement.RENDEZVOUS))
        self.identities = DialledIdentities(pool, self.timeout)
        self.media = MediaSource(store, MediaLinks(media_secret or _media_secret(config, signer)),
                                 config.base_url)
        self.document_events = None  # doc_events.DocumentEvents of the app (use_document_events)
        self.watcher = watcher or DialWatcher(self._event_pool)
        self.rooms = RoomCache(time.monotonic, getattr(config, "room_cache_ttl", DEFAULT_TTL),
                               trusted=self._watching_every_node)
        if hasattr(self.watcher, "on_room_changed"):
            self.watcher.on_room_changed(lambda node, name: self.rooms.forget(name))
            self.watcher.on_node_ready(lambda node: self.rooms.clear())
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
        ended (it starts the event watcher, so room ends are seen from now on), and
        the recordings' (crossbar.recordings.runtime): deadlines of recordings made
        before this process started, retention, participants' tracks."""
        from crossbar.recordings import runtime
        self.dynamic_rooms.start()
        runtime.parts(self)
        return self

    def _watching_every_node(self):
        watching = getattr(self.watcher, "watching", None)
        return watching is not None and watching(self.pool.names())

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
    def locate(self, account_id, conference_id, preferred=None):
        """Located (every copy's json_list; the primary copy first, ``preferred``:
        the document's focus), or None when every node answered that it does not
        host the room."""
        name, mark = fs_name(account_id, conference_id), self.rooms.mark()
        replies = self.pool.api_all(fs_commands.build(name, "json_list"), timeout=self.timeout)
        located = locating.combine(
            locating.listed_copies(account_id, conference_id, name, replies), self.placement,
            preferred)
        self._remember(name, located, mark)
        if located is None:
            _raise_if_unanswered(replies, conference_id)
        elif located.split:
            _log_split(located)
        return located

    def where(self, account_id, conference_id, preferred=None):
        """Located without member data (``conference <name> list count`` to every
        node: a few bytes instead of the whole json_list), or None."""
        name, mark = fs_name(account_id, conference_id), self.rooms.mark()
        replies = self.pool.api_all(fs_commands.build(name, "count"), timeout=self.timeout)
        located = locating.combine(
            locating.counted_copies(account_id, conference_id, name, replies), self.placement,
            preferred)
        self._remember(name, located, mark)
        if located is None:
            _raise_if_unanswered(replies, conference_id)
        return located

    def _remember(self, name, located, mark):
        """A room on one node is remembered; split or gone, it is forgotten."""
        if located is not None and not located.split:
            self.rooms.put(name, located.node, mark)
        else:
            self.rooms.forget(name)

    def hinted(self, account_id, conference_id):
        """Located (node only) from the room cache, or None: a hint to try first,
        never a conclusion (a "not found" there means: look everywhere)."""
        name = fs_name(account_id, conference_id)
        node = self.rooms.get(name)
        if node is None or node not in self.pool.connected_names():
            return None
        return Located(account_id, conference_id, name, node)

    def running(self, account_id, conference, members=True, copies=False):
        """Located for a stored conference (dict) or a dynamic one (its id);
        NotRunning for a stored one that runs nowhere, NotFound for an unknown id.
        ``members=False`` only finds the node (enough for room-wide commands). A
        room on several nodes is ConferenceSplit (409) unless the caller handles
        every copy (``copies=True``)."""
        find = self.locate if members else self.where
        located = find(account_id, _conference_id(conference))
        if located is None:
            raise not_running(conference)
        if located.split and not copies:
            raise split.split_error(located.conference_id, located.nodes,
                                    "this action cannot be applied to every copy")
        return located

    # --- the realtime seam -----------------------------------------------------
    def conference_state(self, account_id, conference_id):
        """The room's live state (every copy's, when it runs on several nodes:
        crossbar.live.split); when it is on no node that answered and some node
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
        now, identities = self.clock(), self.identities.of(located.all_copies)
        return split.merged_state([(copy.node, state.conference_state(
            copy.conference, copy.node, now, identities)) for copy in located.all_copies])

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
        states = {}
        for conference_id, copies in state.account_conferences(listing, account_id).items():
            hosting = self.placement.ranking(conference_id, [node for node, _ in copies])
            by_node = dict(copies)
            states[conference_id] = split.merged_state(
                [(node, state.conference_state(by_node[node], node, now)) for node in hosting])
            if len(copies) > 1:
                log.warning("conference split across nodes", extra={
                    "account_id": account_id, "conference_id": conference_id, "nodes": hosting})
        return state.AccountStates(states, failed)

    # --- commands ----------------------------------------------------------------
    def command(self, account_id, conference, action, /, *, missing=None, **args):
        """Run one room-wide command wherever the room runs (every node hosting a
        copy, asked first); FreeSWITCH's text back (one line per copy).
        ``missing()`` gives the error for a room that runs nowhere (default:
        ``not_running(conference)``)."""
        conference_id = _conference_id(conference)
        hinted = self.hinted(account_id, conference_id)
        if hinted is not None:
            try:
                return self.send(hinted, action, **args)
            except NotRunning:       # not there any more: forgotten (send_to), look everywhere
                pass
        located = self.where(account_id, conference_id)
        if located is None:
            raise missing() if missing else not_running(conference)
        return self.send_each(located, action, **args)

    def send_each(self, located, action, **args):
        """``send`` to every copy of the room (a split room: crossbar.live.split);
        a refusal says what the copies before it answered."""
        replies = []
        for copy in located.all_copies:
            try:
                replies.append(self.send(copy, action, **args))
            except SwitchRefused as refused:
                if not replies:
                    raise
                raise SwitchRefused(refused.message, {**refused.data, "done": replies}) from None
        return "\n".join(replies)

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
        if log.isEnabledFor(logging.INFO):
            log.info("conference command", extra={"node": node, "command": command})
        return text

    def pick_node(self, conference_id, preferred=None):
        """Where a new room of the conference goes (kzcore.placement): the
        document's focus (``preferred``) if connected, else the first connected
        node of the conference's ranking."""
        node = self.placement.choose(conference_id, self.pool.connected_names(), preferred)
        if node is None:
            raise SwitchUnavailable("no FreeSWITCH node is connected")
        return node


def _conference_id(conference):
    return conference if isinstance(conference, str) else conference["_id"]


def not_running(conference):
    """The error for a room on no node: NotFound for a dynamic conference (an id
    with no document), NotRunning (409) for a stored one."""
    if isinstance(conference, str):
        return NotFound("conference not found", {"cause": conference})
    return NotRunning(f"conference {conference['_id']} is not running",
                      {"conference_id": conference["_id"]})


def _log_split(located):
    log.warning("conference split across nodes", extra={
        "account_id": located.account_id, "conference_id": located.conference_id,
        "nodes": located.nodes})


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

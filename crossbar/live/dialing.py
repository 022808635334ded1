"""The ``dial`` action (seed 002): resolve endpoints, validate every command before
sending any, send one ``bgdial`` per leg to the node hosting the room and report
each leg's fate. A dial into a conference with no document creates its document
(through crossbar's ConferencesService, so numbers are checked and indexed) once
FreeSWITCH accepted a leg, and removes it again if every leg failed; the document
of a dynamic conference goes once its room has ended (dynamic_docs, dynamic_rooms)."""
import logging
import time
import typing
import uuid

from crossbar.conferences import dynamic_docs
from crossbar.conferences.service import ConferencesService
from crossbar.lifecycle.dial_marks import DialMarks, split_flags
from crossbar.live import dial_plan, focus, state
from crossbar.live.carrier_legs import CarrierDials, carrier_budget
from crossbar.live.carrier_routing import CarrierPlanner
from crossbar.live.dial_targets import resolve_targets
from kzcore import fs_commands
from kzcore.errors import NotRunning, SwitchRefused

log = logging.getLogger(__name__)
DIAL_WAIT = 10.0      # seconds a dial request waits for the legs' results
MAX_DIAL_WAIT = 35.0  # with an explicit timeout: timeout + 2 s, at most this
UNSUPPORTED = {"profile_name": "is not supported: a dynamic conference takes its profile from "
                               "the request's conference parameters",
               "target_call_id": "is not supported: the room goes to the node hosting it, "
                                 "or for a new room to the conference's focus node"}


def refuse_unsupported(params):
    """Parameters the dial schema names but this system does not implement: a
    clear 400 rather than silently ignoring them."""
    for key, why in UNSUPPORTED.items():
        if key in params:
            raise fs_commands.invalid(key, why, params[key])


def leg_plan(name, targets, params, sounds=None):
    """``[(target, call_id, bgdial args)]``, every command built (validated) up front;
    ``sounds``: channel variables for the legs' entry / exit tones."""
    flags = dial_plan.member_flags(params.get("participant_flags"))
    outbound = params.get("outbound_call_id")
    if outbound is not None:
        fs_commands.valid_call_id(outbound, "outbound_call_id")
    plan = []
    for target in targets:
        if target.error:
            plan.append((target, None, None))
            continue
        call_id = outbound if outbound and not any(p[1] == outbound for p in plan) \
            else str(uuid.uuid4())
        variables = dial_plan.channel_variables(call_id, params.get("timeout"),
                                                params.get("custom_application_vars"))
        args = {"endpoint": target.endpoint, "member_flags": flags or None,
                "variables": {**variables, **(sounds or {})},
                "caller_id_number": params.get("caller_id_number"),
                "caller_id_name": params.get("caller_id_name")}
        args = {key: value for key, value in args.items() if value is not None}
        fs_commands.build(name, "bgdial", **args)
        plan.append((target, call_id, args))
    return plan


def conference_fields(schemas, params):
    """The request's conference parameters (the dial schema's ``conferences#`` refs)."""
    props = schemas.get("conferences.dial").get("properties", {})
    keys = [key for key, spec in props.items()
            if isinstance(spec, dict) and str(spec.get("$ref", "")).startswith("conferences#")]
    return {key: params[key] for key in keys if key in params}


def check_dynamic(service, schemas, account_id, conference_id, params):
    """The dynamic conference's fields, validated (schema, numbers) without saving."""
    fields = conference_fields(schemas, params)
    service.checked_new(account_id, conference_id, fields)
    return fields


class DialRoom(typing.NamedTuple):
    """The conference a dial is for: its documents service, ids, the stored document
    (or the dynamic id), the dynamic fields, and where it runs (None: not running)."""
    service: object
    account_id: str
    conference_id: str
    conference: object
    dynamic: dict
    located: object


def _accepted(leg):
    target, call_id, _job, refusal = leg
    return target.endpoint is not None and call_id is not None and refusal is None


class Dialer:
    def __init__(self, live, watcher, wait=DIAL_WAIT, sofia_profile=dial_plan.DEFAULT_SOFIA_PROFILE,
                 conferences=ConferencesService):
        """``conferences(store, schemas, live, events=...)``: crossbar's conference
        documents service (dynamic conferences are saved through it, their
        document events published through ``live.document_events``)."""
        self.live, self.watcher, self.wait = live, watcher, wait
        self.sofia_profile = sofia_profile
        self.conferences = conferences

    def dial(self, account_id, conference, params, schemas):
        """``(data, 200)`` with ``endpoint_responses``; SwitchRefused if no leg got
        anywhere. Nothing is saved before FreeSWITCH accepted a leg."""
        params = schemas.validate("conferences.dial", params, ("data",))
        refuse_unsupported(params)
        params, end_on_exit = split_flags(params)
        conference_id = conference if isinstance(conference, str) else conference["_id"]
        name = state.fs_name(account_id, conference_id)
        planner = CarrierPlanner(self.live.store, account_id,
                                 getattr(self.live.config, "default_country_code", "1"))
        targets = resolve_targets(self.live.store, account_id, params["endpoints"],
                                  self.sofia_profile, planner)
        sounds = dial_plan.leg_sound_variables(conference, params)
        carriers = CarrierDials(self.live, self.watcher, (name, conference_id), params,
                                planner.account, carrier_budget(params, self.live.config,
                                                                MAX_DIAL_WAIT), sounds)
        plan = leg_plan(name, carriers.split(targets), params, sounds)
        service = self.conferences(self.live.store, schemas, self.live,
                                   events=getattr(self.live, "document_events", None))
        dynamic = check_dynamic(service, schemas, account_id, conference_id, params) \
            if isinstance(conference, str) else None
        preferred = focus.document_focus(conference)
        located = focus.room_for_dial(self.live, account_id, conference_id, preferred)
        if located is not None:
            focus.refuse_locked(located, params)
        node = located.node if located else self.live.pick_node(conference_id, preferred)
        self._refuse_live_call_id(params.get("outbound_call_id"))
        if located is not None:
            self._room_sounds(located, conference, params)
        calls, marks = [leg[1] for leg in plan if leg[1]] + carriers.call_ids(), DialMarks(self.live)
        marked = marks.before(account_id, conference_id, calls, end_on_exit=end_on_exit,
                              room_running=located is not None, timeout=params.get("timeout"))
        room = DialRoom(service, account_id, conference_id, conference, dynamic, located)
        responses, created = self._place(node, name, plan, params, room, carriers,
                                         sent=lambda: marks.after(account_id, conference_id,
                                                                  marked, calls))
        if all(item["status"] == "error" for item in responses):
            marks.failed(account_id, conference_id, marked)
            if created:
                dynamic_docs.remove_dynamic(service, account_id, conference_id)
            raise SwitchRefused("no endpoint could be dialled: "
                                + "; ".join(f"{item['endpoint_id']}: {item['message']}"
                                            for item in responses),
                                {"endpoint_responses": responses})
        return {"endpoint_responses": responses}, 200

    def _place(self, node, name, plan, params, room, carriers, sent=lambda: None):
        """Send every leg (carrier endpoints through ``carriers``), keep the dynamic
        document, wait for the legs' fate: ``(endpoint_responses, whether this dial
        created the document)``. ``sent()`` runs once every leg is on its way (the
        lifecycle's dial marks: an ``end`` racing this dial hangs its legs up)."""
        if not self.watcher.ready(node, self.live.timeout):
            log.warning("dial watcher not connected; results may be missed", extra={"node": node})
        legs = [self._send(node, name, room.conference_id, *leg) for leg in plan]
        join_only = dial_plan.joins_existing_only(params)
        # join_existing into a room not running: the switch refuses every leg unless
        # the room started meanwhile, so a dynamic document waits for a leg that joined
        deferred = join_only and room.located is None
        created = False if deferred else self._keep_document(room, legs, carriers.call_ids())
        carriers.start(node, room.located is not None)
        sent()
        responses = carriers.merge(self._collect(node, legs, room.located is not None,
                                                 self._wait_for(params), join_only))
        if deferred and any(item["status"] == "success" for item in responses):
            created = self._keep_document(room, legs, carriers.call_ids())
        return responses, created

    def _keep_document(self, room, legs, carrier_calls=()):
        """Once FreeSWITCH accepted a leg (or carrier attempts are about to be
        dialled: ``carrier_calls``, their call ids): an id with no document (and
        no room) gets its dynamic document, a dynamic conference this dial's stamp
        (its room may be about to end while these legs still ring). True if created."""
        calls = [leg[1] for leg in legs if _accepted(leg)] + list(carrier_calls)
        if not calls:
            return False
        if room.dynamic is not None and room.located is None:
            fields = room.dynamic
        elif dynamic_docs.is_dynamic(room.conference):
            fields = dynamic_docs.public_fields(room.conference)
        else:
            return False
        return dynamic_docs.record_dial(room.service, room.account_id, room.conference_id, fields,
                                        calls, self.live.clock())

    def _room_sounds(self, located, conference, params):
        """Turn the running room's enter / exit sounds off where the conference says
        no tone (a room that ended meanwhile is created anew by the legs)."""
        for action, state_word in dial_plan.room_sound_commands(conference, params,
                                                                located.conference):
            try:
                self.live.send(located, action, state=state_word)
            except NotRunning:
                return

    def _refuse_live_call_id(self, call_id):
        """A client-chosen call id must not name a live channel on any node
        (dial outcomes are read by call id: it must be this dial's own)."""
        if call_id is None:
            return
        replies = self.live.pool.api_all(fs_commands.api_uuid_exists(call_id),
                                         timeout=self.live.timeout)
        if any(isinstance(reply, str) and reply.strip() == "true" for reply in replies.values()):
            raise fs_commands.invalid("outbound_call_id", "is already the id of a live call",
                                      call_id)

    def _wait_for(self, params):
        timeout = params.get("timeout")
        return min(float(timeout) + 2.0, MAX_DIAL_WAIT) if timeout else self.wait

    def _send(self, node, name, conference_id, target, call_id, args):
        """``(target, call_id, job_id, refusal text or None)`` for one leg."""
        if args is None:
            return target, None, None, None
        try:
            text = self.live.send_to(node, name, conference_id, "bgdial", **args)
        except SwitchRefused as refused:
            return target, call_id, None, refused.message
        return target, call_id, dial_plan.job_id(text), None

    def _collect(self, node, legs, room_existed, wait, join_only=False):
        deadline = time.monotonic() + wait
        while True:
            decided = [self._decided(node, leg, room_existed, join_only) for leg in legs]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or all(d is not None for leg, d in zip(legs, decided) if leg[0].endpoint):
                break
            self.watcher.wait(min(remaining, 0.5))
        return [dial_plan.endpoint_response(leg[0], leg[1], leg[2], d) for leg, d in zip(legs, decided)]

    def _decided(self, node, leg, room_existed, join_only):
        target, call_id, job, refusal = leg
        if target.error:
            return None
        if refusal is not None:
            return "error", refusal
        return dial_plan.outcome(self.watcher.facts(node, job, call_id), call_id, room_existed,
                                 join_only)

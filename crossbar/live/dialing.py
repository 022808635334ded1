"""The ``dial`` action (seed 002): resolve endpoints, validate every command before
sending any, send one ``bgdial`` per leg to the node hosting the room and report
each leg's fate. A dial into a conference with no document creates its document
(through crossbar's ConferencesService, so numbers are checked and indexed) once
FreeSWITCH accepted a leg, and removes it again if every leg failed; the document
of a dynamic conference goes once its room has ended (dynamic_docs, dynamic_rooms)."""
import logging
import time
import uuid

from crossbar.conferences import dynamic_docs
from crossbar.conferences.service import ConferencesService
from crossbar.lifecycle.dial_marks import DialMarks, split_flags
from crossbar.live import dial_plan, state
from kzcore import fs_commands
from kzcore.errors import NotFound, SwitchRefused
from kzcore.naming import ACCOUNTS_DB, account_db

log = logging.getLogger(__name__)
DIAL_WAIT = 10.0      # seconds a dial request waits for the legs' results
MAX_DIAL_WAIT = 35.0  # with an explicit timeout: timeout + 2 s, at most this
UNSUPPORTED = {"profile_name": "is not supported: a dynamic conference takes its profile from "
                               "the request's conference parameters",
               "target_call_id": "is not supported: the room goes to the node hosting it, "
                                 "or the first connected node"}


class TargetResolver:
    """Seed 002 endpoints -> [Target] for one account: registered devices are
    only ever dialled in the account's own realm."""

    def __init__(self, store, account_id, profile=dial_plan.DEFAULT_SOFIA_PROFILE):
        self.store, self.account_id, self.profile = store, account_id, profile
        self.realm = (store.get_or_none(ACCOUNTS_DB, account_id) or {}).get("realm")

    def resolve(self, endpoints):
        targets = []
        for index, endpoint in enumerate(endpoints):
            field = f"endpoints.{index}"
            kind, value = dial_plan.classify(endpoint, index)
            if kind == "number":
                targets.append(dial_plan.Target(endpoint, dial_plan.number_endpoint(value)))
            elif kind == "sip":
                targets.append(self._sip(endpoint, value, field))
            elif kind == "device":
                targets.append(self._device(value.get("id") or f"device.{index}", value, field))
            else:
                targets.extend(self._doc(value, field))
        return targets

    def _sip(self, endpoint_id, user_at_host, field):
        """An external SIP destination, unless its host is an account's realm: then
        it means a registered device, dialled only in the caller's own realm."""
        user, host = dial_plan.sip_parts(user_at_host)
        if dial_plan.same_realm(host, self.realm):
            return dial_plan.Target(endpoint_id, f"user/{user}@{self.realm}")
        if self.store.find(ACCOUNTS_DB, {"realm": host}, limit=1):
            raise fs_commands.invalid(field, "names another account's realm "
                                      "(devices of other accounts cannot be dialled)", host)
        return dial_plan.Target(endpoint_id, dial_plan.sip_endpoint(user_at_host, self.profile))

    def _device(self, endpoint_id, device, field):
        try:
            route = dial_plan.device_route(device)
            if route:
                return self._sip(endpoint_id, route, f"{field}.sip.route")
            return dial_plan.Target(endpoint_id, dial_plan.device_endpoint(
                device, self.realm, self.profile, field))
        except ValueError as why:
            return dial_plan.Target(endpoint_id, error=str(why))

    def _doc(self, doc_id, field):
        db = account_db(self.account_id)
        doc = self.store.get_or_none(db, doc_id) or {}
        kind = doc.get("pvt_type") if not doc.get("pvt_deleted") else None
        if kind == "device":
            return [self._device(doc_id, doc, field)]
        if kind == "user":
            devices = self.store.find(db, {"pvt_type": "device", "owner_id": doc_id})
            targets = [self._device(doc_id, device, field)
                       for device in devices if not device.get("pvt_deleted")]
            return targets or [dial_plan.Target(doc_id, error="user has no devices")]
        raise NotFound(f"{field}: no device or user with this id in the account",
                       {field: {"not_found": {"message": "no device or user with this id "
                                                         "in the account", "value": doc_id}}})


def resolve_targets(store, account_id, endpoints, profile=dial_plan.DEFAULT_SOFIA_PROFILE):
    """Seed 002 endpoints -> [Target]; a user id becomes one target per device."""
    return TargetResolver(store, account_id, profile).resolve(endpoints)


def refuse_unsupported(params):
    """Parameters the dial schema names but this system does not implement: a
    clear 400 rather than silently ignoring them."""
    for key, why in UNSUPPORTED.items():
        if key in params:
            raise fs_commands.invalid(key, why, params[key])


def leg_plan(name, targets, params):
    """``[(target, call_id, bgdial args)]``, every command built (validated) up front."""
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
        args = {"endpoint": target.endpoint, "member_flags": flags or None,
                "variables": dial_plan.channel_variables(call_id, params.get("timeout"),
                                                         params.get("custom_application_vars")),
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


def _accepted(leg):
    target, call_id, _job, refusal = leg
    return target.endpoint is not None and call_id is not None and refusal is None


class Dialer:
    def __init__(self, live, watcher, wait=DIAL_WAIT, sofia_profile=dial_plan.DEFAULT_SOFIA_PROFILE,
                 conferences=ConferencesService):
        """``conferences(store, schemas, live)``: crossbar's conference documents
        service (dynamic conferences are saved through it)."""
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
        targets = resolve_targets(self.live.store, account_id, params["endpoints"],
                                  self.sofia_profile)
        plan = leg_plan(name, targets, params)
        service = self.conferences(self.live.store, schemas, self.live)
        dynamic = check_dynamic(service, schemas, account_id, conference_id, params) \
            if isinstance(conference, str) else None
        located = self.live.locate(account_id, conference_id)
        node = located.node if located else self.live.pick_node()
        self._refuse_live_call_id(params.get("outbound_call_id"))
        if not self.watcher.ready(node, self.live.timeout):
            log.warning("dial watcher not connected; results may be missed", extra={"node": node})
        calls, marks = [leg[1] for leg in plan if leg[1]], DialMarks(self.live)
        marked = marks.before(account_id, conference_id, calls, end_on_exit=end_on_exit,
                              room_running=located is not None, timeout=params.get("timeout"))
        legs = [self._send(node, name, conference_id, *leg) for leg in plan]
        marks.after(account_id, conference_id, marked, calls)
        created = self._keep_document(service, account_id, conference_id, conference, dynamic,
                                      located, legs)
        responses = self._collect(node, legs, located is not None, self._wait_for(params))
        if all(item["status"] == "error" for item in responses):
            marks.failed(account_id, conference_id, marked)
            if created:
                dynamic_docs.remove_dynamic(service, account_id, conference_id)
            raise SwitchRefused("no endpoint could be dialled: "
                                + "; ".join(f"{item['endpoint_id']}: {item['message']}"
                                            for item in responses),
                                {"endpoint_responses": responses})
        return {"endpoint_responses": responses}, 200

    def _keep_document(self, service, account_id, conference_id, conference, dynamic, located,
                       legs):
        """Once FreeSWITCH accepted a leg: an id with no document (and no room)
        gets its dynamic document, a dynamic conference this dial's stamp (its
        room may be about to end while these legs still ring). True if created."""
        calls = [leg[1] for leg in legs if _accepted(leg)]
        if not calls:
            return False
        if dynamic is not None and located is None:
            fields = dynamic
        elif dynamic_docs.is_dynamic(conference):
            fields = dynamic_docs.public_fields(conference)
        else:
            return False
        return dynamic_docs.record_dial(service, account_id, conference_id, fields, calls,
                                        self.live.clock())

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

    def _collect(self, node, legs, room_existed, wait):
        deadline = time.monotonic() + wait
        while True:
            decided = [self._decided(node, leg, room_existed) for leg in legs]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or all(d is not None for leg, d in zip(legs, decided) if leg[0].endpoint):
                break
            self.watcher.wait(min(remaining, 0.5))
        return [dial_plan.endpoint_response(leg[0], leg[1], leg[2], d) for leg, d in zip(legs, decided)]

    def _decided(self, node, leg, room_existed):
        target, call_id, job, refusal = leg
        if target.error:
            return None
        if refusal is not None:
            return "error", refusal
        return dial_plan.outcome(self.watcher.facts(node, job, call_id), call_id, room_existed)

"""The ``dial`` action (seed 002): resolve endpoints, validate every command before
sending any, create the dynamic conference document when there is none, send one
``bgdial`` per leg to the node hosting the room and report each leg's fate."""
import logging
import time
import uuid

from crossbar import documents
from crossbar.live import dial_plan, state
from kzcore import fs_commands
from kzcore.errors import Conflict, SwitchRefused
from kzcore.naming import ACCOUNTS_DB, account_db

log = logging.getLogger(__name__)
DIAL_WAIT = 10.0      # seconds a dial request waits for the legs' results
MAX_DIAL_WAIT = 35.0  # with an explicit timeout: timeout + 2 s, at most this


def _device_target(endpoint_id, device, realm, profile):
    try:
        return dial_plan.Target(endpoint_id, dial_plan.device_endpoint(device, realm, profile))
    except ValueError as why:
        return dial_plan.Target(endpoint_id, error=str(why))


def _doc_targets(store, account_id, doc_id, index, realm, profile):
    db = account_db(account_id)
    doc = store.get_or_none(db, doc_id)
    kind = (doc or {}).get("pvt_type") if not (doc or {}).get("pvt_deleted") else None
    if kind == "device":
        return [_device_target(doc_id, doc, realm, profile)]
    if kind == "user":
        devices = store.find(db, {"pvt_type": "device", "owner_id": doc_id})
        targets = [_device_target(doc_id, device, realm, profile)
                   for device in devices if not device.get("pvt_deleted")]
        return targets or [dial_plan.Target(doc_id, error="user has no devices")]
    raise fs_commands.invalid(f"endpoints.{index}", "no device or user with this id in the account",
                              doc_id)


def resolve_targets(store, account_id, endpoints, profile=dial_plan.DEFAULT_SOFIA_PROFILE):
    """Seed 002 endpoints -> [Target]; a user id becomes one target per device."""
    account = store.get_or_none(ACCOUNTS_DB, account_id) or {}
    realm, targets = account.get("realm"), []
    for index, endpoint in enumerate(endpoints):
        kind, value = dial_plan.classify(endpoint, index)
        if kind == "number":
            targets.append(dial_plan.Target(endpoint, dial_plan.number_endpoint(value)))
        elif kind == "sip":
            targets.append(dial_plan.Target(endpoint, dial_plan.sip_endpoint(value, profile)))
        elif kind == "device":
            targets.append(_device_target(value.get("id") or f"device.{index}", value, realm, profile))
        else:
            targets.extend(_doc_targets(store, account_id, value, index, realm, profile))
    return targets


def leg_plan(name, targets, params):
    """``[(target, call_id, bgdial args)]``, every command built (validated) up front."""
    flags = dial_plan.member_flags(params.get("participant_flags"))
    outbound = params.get("outbound_call_id")
    if outbound is not None:
        fs_commands.valid_variable_value(outbound, "outbound_call_id")
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


def create_dynamic(store, schemas, account_id, conference_id, params):
    """Kazoo documents that a dial into an unknown conference uses the request's
    conference parameters (and then ignores them); here they become its document,
    which the conference profile (mod_xml_curl) is served from."""
    doc = schemas.validate("conferences", conference_fields(schemas, params), ("data",))
    doc.update(documents.new_private(account_id, "conference"), _id=conference_id, pvt_dynamic=True)
    try:
        store.save(account_db(account_id), doc)
        log.info("dynamic conference created", extra={"account_id": account_id,
                                                      "conference_id": conference_id})
    except Conflict:
        pass  # created meanwhile by a concurrent dial


class Dialer:
    def __init__(self, live, watcher, wait=DIAL_WAIT, sofia_profile=dial_plan.DEFAULT_SOFIA_PROFILE):
        self.live, self.watcher, self.wait = live, watcher, wait
        self.sofia_profile = sofia_profile

    def dial(self, account_id, conference, params, schemas):
        """``(data, 200)`` with ``endpoint_responses``; SwitchRefused if no leg got anywhere."""
        params = schemas.validate("conferences.dial", params, ("data",))
        conference_id = conference if isinstance(conference, str) else conference["_id"]
        name = state.fs_name(account_id, conference_id)
        targets = resolve_targets(self.live.store, account_id, params["endpoints"],
                                  self.sofia_profile)
        plan = leg_plan(name, targets, params)
        located = self.live.locate(account_id, conference_id)
        if located is None and isinstance(conference, str):
            create_dynamic(self.live.store, schemas, account_id, conference_id, params)
        node = located.node if located else self.live.pick_node()
        if not self.watcher.ready(node, self.live.timeout):
            log.warning("dial watcher not connected; results may be missed", extra={"node": node})
        legs = [self._send(node, name, conference_id, *leg) for leg in plan]
        responses = self._collect(node, legs, located is not None, self._wait_for(params))
        if all(item["status"] == "error" for item in responses):
            raise SwitchRefused("no endpoint could be dialled: "
                                + "; ".join(f"{item['endpoint_id']}: {item['message']}"
                                            for item in responses),
                                {"endpoint_responses": responses})
        return {"endpoint_responses": responses}, 200

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

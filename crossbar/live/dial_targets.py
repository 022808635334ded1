"""Seed 002 dial endpoints -> the legs to place (``dial_plan.Target``), for one
account: device and user ids, numbers, ``sip:`` URIs and device objects; registered
devices are only ever dialled in the account's own realm; numbers that are not ours
go through the carriers (crossbar.live.carrier_routing)."""
from crossbar.live import dial_plan
from kzcore import fs_commands
from kzcore.errors import NotFound
from kzcore.naming import ACCOUNTS_DB, account_db


class TargetResolver:
    """Seed 002 endpoints -> [Target] for one account: registered devices are
    only ever dialled in the account's own realm."""

    def __init__(self, store, account_id, profile=dial_plan.DEFAULT_SOFIA_PROFILE, planner=None):
        """``planner``: a carrier_routing.CarrierPlanner (numbers that are not ours go
        through carriers); None dials every number through the dialplan."""
        self.store, self.account_id, self.profile = store, account_id, profile
        self.realm = (store.get_or_none(ACCOUNTS_DB, account_id) or {}).get("realm")
        self.planner = planner

    def resolve(self, endpoints):
        targets = []
        for index, endpoint in enumerate(endpoints):
            field = f"endpoints.{index}"
            kind, value = dial_plan.classify(endpoint, index)
            if kind == "number":
                targets.append(self._number(endpoint, value))
            elif kind == "sip":
                targets.append(self._sip(endpoint, value, field, carriers_ok=True))
            elif kind == "device":
                targets.append(self._device(value.get("id") or f"device.{index}", value, field))
            else:
                targets.extend(self._doc(value, field))
        return targets

    def _number(self, endpoint_id, number):
        """Ours (a conference number): the dialplan; any other: the carriers."""
        if self.planner is None or self.planner.is_ours(number):
            return dial_plan.Target(endpoint_id, dial_plan.number_endpoint(number))
        return self.planner.number_target(endpoint_id, number)

    def _sip(self, endpoint_id, user_at_host, field, carriers_ok=False):
        """An external SIP destination (through the carriers that allow URIs, if
        any), unless its host is an account's realm: then it means a registered
        device, dialled only in the caller's own realm."""
        user, host = dial_plan.sip_parts(user_at_host)
        if dial_plan.same_realm(host, self.realm):
            return dial_plan.Target(endpoint_id, f"user/{user}@{self.realm}")
        if self.store.find(ACCOUNTS_DB, {"realm": host}, limit=1):
            raise fs_commands.invalid(field, "names another account's realm "
                                      "(devices of other accounts cannot be dialled)", host)
        routed = self.planner.sip_target(endpoint_id, user_at_host) \
            if carriers_ok and self.planner is not None else None
        return routed or dial_plan.Target(endpoint_id,
                                          dial_plan.sip_endpoint(user_at_host, self.profile))

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


def resolve_targets(store, account_id, endpoints, profile=dial_plan.DEFAULT_SOFIA_PROFILE,
                    planner=None):
    """Seed 002 endpoints -> [Target]; a user id becomes one target per device;
    ``planner`` (carrier_routing.CarrierPlanner) routes numbers that are not ours."""
    return TargetResolver(store, account_id, profile, planner).resolve(endpoints)

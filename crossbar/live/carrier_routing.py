"""Numbers (and foreign ``sip:`` URIs) dialled through carriers: which gateways,
in which order, with which caller id, and each attempt's ``bgdial``.

A number that is ours (a conference number, kzcore.accounts.owner_of_number)
still goes through the switch's dialplan (``loopback/<n>/default``: call-in).
Any other number goes through the resources whose rules match its E.164 form:
the account's own, then the system's (the account's ``resource_order`` may say
otherwise), by ``weight_cost``, each resource's gateways in order
(kzcore.carriers.number_plan). No matching resource: that endpoint fails with
a message saying so; the others go on. A ``sip:`` URI whose host is not ours
goes through the resources that allow it (``allow_sip_uris``), or straight to
its host as before when none does.

Every attempt's command is built (so validated) before anything is sent;
crossbar.live.carrier_legs runs them one after the other.
"""
import dataclasses
import uuid

from crossbar.live import dial_plan
from crossbar.resources import catalog
from kzcore import accounts, carriers, e164, fs_commands
from kzcore.fs_commands import sofia
from kzcore.naming import ACCOUNTS_DB

NO_CARRIER = "no resource (carrier) takes this number"


@dataclasses.dataclass
class PlannedAttempt:
    attempt: carriers.Attempt
    resource: dict           # the resource document (caller id options)
    call_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))


class CarrierPlanner:
    """Carrier targets for one account's dial (used by dialing.TargetResolver)."""

    def __init__(self, store, account_id, country_code=e164.DEFAULT_COUNTRY_CODE):
        self.store, self.account_id, self.country_code = store, account_id, country_code
        self.account = store.get_or_none(ACCOUNTS_DB, account_id) or {}
        self._resources = None

    def resources(self):
        if self._resources is None:
            self._resources = (catalog.account_resources(self.store, self.account_id),
                               catalog.system_resources(self.store))
        return self._resources

    def is_ours(self, number):
        return accounts.owner_of_number(self.store, number.lstrip("+")) is not None

    def number_target(self, endpoint_id, number):
        own, system = self.resources()
        plan = carriers.number_plan(number, own, system, self.account.get("resource_order"),
                                    self.country_code)
        return self._target(endpoint_id, plan, NO_CARRIER)

    def sip_target(self, endpoint_id, user_at_host):
        """A carrier target for a foreign URI, or None when no resource allows URIs."""
        own, system = self.resources()
        plan = carriers.sip_plan(user_at_host, own, system, self.account.get("resource_order"))
        return self._target(endpoint_id, plan, None) if plan else None

    def _target(self, endpoint_id, plan, empty_message):
        if not plan:
            return dial_plan.Target(endpoint_id, error=empty_message)
        by_id = {r.get("_id"): r for r in self.resources()[0] + self.resources()[1]}
        return dial_plan.Target(endpoint_id, attempts=[
            PlannedAttempt(a, by_id.get(a.resource_id, {})) for a in plan])


def attempt_args(planned, params, account, originate_timeout, sounds=None):
    """The ``bgdial`` arguments of one attempt (kzcore.fs_commands.build checks them);
    ``sounds``: the entry / exit tone channel variables of the dial's legs."""
    attempt = planned.attempt
    number, name = carriers.caller_id(planned.resource, params.get("caller_id_number"),
                                      params.get("caller_id_name"), account.get("caller_id"))
    variables = dial_plan.channel_variables(planned.call_id, originate_timeout,
                                            params.get("custom_application_vars"))
    args = {"endpoint": sofia.gateway_endpoint(attempt.gateway, attempt.user, attempt.codecs,
                                               attempt.progress_timeout),
            "member_flags": dial_plan.member_flags(params.get("participant_flags")) or None,
            "variables": {**variables, **(sounds or {})}, "caller_id_number": number,
            "caller_id_name": name if number else None}
    return {key: value for key, value in args.items() if value is not None}


def check_params(conference_name, params):
    """The dial's own values (caller id, flags, custom variables) as a bgdial would
    carry them, checked even when no endpoint gets dialled (400, never a 'no
    carrier' answer hiding bad input)."""
    probe = PlannedAttempt(carriers.Attempt("", "", carriers.SYSTEM, 0, "kz_check", "", "0"), {})
    fs_commands.build(conference_name, "bgdial", **attempt_args(probe, params, {}, 1))
    if params.get("caller_id_number") is not None:   # a resource may replace them: check anyway
        fs_commands.valid_caller_id_number(params["caller_id_number"])
    if params.get("caller_id_name") is not None:
        fs_commands.valid_caller_id_name(params["caller_id_name"])


def check_attempts(conference_name, target, params, account, budget):
    """Build every attempt's command once (400 before anything is sent)."""
    for planned in target.attempts:
        fs_commands.build(conference_name, "bgdial",
                          **attempt_args(planned, params, account, max(1, int(budget))))


def shown_attempt(planned, outcome, job_id=None):
    """One ``attempts[]`` item of endpoint_responses (a system carrier's server is
    the operator's business: only the account's own resources show it)."""
    attempt = planned.attempt
    item = {"resource_id": attempt.resource_id, "resource_name": attempt.resource_name,
            "scope": attempt.scope, "gateway_index": attempt.gateway_index,
            "call_id": planned.call_id if job_id else None, "job_id": job_id,
            "status": "success" if outcome == "SUCCESS" else "error", "cause": outcome}
    if attempt.scope == carriers.ACCOUNT:
        item["server"] = attempt.server
    return item

"""Device calls to numbers that are not ours: out through the carriers.

Only a call from one of our devices qualifies, and the device is identified by
what the switch itself established: the digest credentials the call was
authenticated with (``variable_sip_auth_username`` / ``variable_sip_auth_realm``,
set by mod_sofia when it challenged the INVITE), matched to an enabled device
of the enabled account owning that realm. Variables a dial request could set
(``kz_*``) are never trusted here. Numbers that are ours (a conference number)
and everything else get "not found": fs_conf's static dialplan (call-in) runs.
"""
import logging

from crossbar.resources import catalog
from kzcore import accounts, carriers, fsxml, fsxml_dialplan, naming
from kzcore.errors import InvalidCommandArgument
from kzcore.fs_commands import sofia
from kzcore.principals import chain_problem, load_chain

log = logging.getLogger(__name__)


def _caller_account(store, params):
    user = params.get("variable_sip_auth_username") or ""
    realm = (params.get("variable_sip_auth_realm") or "").strip().lower()
    if not user or not realm:
        return None
    account = store.find_one(naming.ACCOUNTS_DB, {"pvt_type": "account", "realm": realm})
    if account is None or chain_problem(account, load_chain(store, account)):
        return None
    devices = store.find(naming.account_db(account["_id"]),
                         {"pvt_type": "device", "sip.username": user})
    if not any(not d.get("pvt_deleted") and d.get("enabled") is not False for d in devices):
        return None
    return account


def answer(store, params, country_code):
    number = params.get("Hunt-Destination-Number") or params.get("Caller-Destination-Number") or ""
    account = _caller_account(store, params)
    if account is None or accounts.owner_of_number(store, number.lstrip("+")) is not None:
        return fsxml.not_found()
    plan = carriers.number_plan(number, catalog.account_resources(store, account["_id"]),
                                catalog.system_resources(store),
                                account.get("resource_order"), country_code)
    if not plan:
        log.info("device call: no carrier takes the number",
                 extra={"account_id": account["_id"], "number": number})
        return fsxml.not_found()
    first = _resource(store, account["_id"], plan[0])
    caller_id = carriers.caller_id(first, account_caller_id=account.get("caller_id"))
    try:
        bridge = sofia.failover_string([(a.gateway, a.user, a.codecs, a.progress_timeout)
                                        for a in plan])
        return fsxml_dialplan.carrier_bridge(params.get("Hunt-Context") or "default", number,
                                             bridge, caller_id)
    except InvalidCommandArgument as refused:
        log.warning("device call: refused", extra={"account_id": account["_id"],
                                                   "reason": refused.message})
        return fsxml.not_found()


def _resource(store, account_id, attempt):
    pool = catalog.account_resources(store, account_id) if attempt.scope == carriers.ACCOUNT \
        else catalog.system_resources(store)
    return next((r for r in pool if r.get("_id") == attempt.resource_id), {})

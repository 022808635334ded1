"""Where resources live, and every gateway the switch must know.

- System resources: the ``offnet`` database (Kazoo's name for it).
- An account's resources: its own database, ``pvt_type: "resource"``.
- ``resource_accounts``: one document per account that ever had a resource
  (``_id`` = the account id), so that every gateway can be listed without
  reading every account database (sofia.conf and the gateway sync need them
  all). An entry outliving its resources costs one empty query.

A disabled or deleted account (or one under a disabled ancestor) has no
gateways: its dials are refused anyway, and its carriers' credentials stay off
the switch.
"""
import logging

from kzcore import carriers
from kzcore.errors import Conflict, DatabaseMissing, NotFound
from kzcore.naming import ACCOUNTS_DB, account_db, is_account_id
from kzcore.principals import chain_problem, load_chain

log = logging.getLogger(__name__)

SYSTEM_DB = "offnet"
INDEX_DB = "resource_accounts"
PVT_TYPE = "resource"


def _live(docs):
    return [d for d in docs if d.get("pvt_type") == PVT_TYPE and not d.get("pvt_deleted")]


def system_resources(store):
    return _live(store.find(SYSTEM_DB, {"pvt_type": PVT_TYPE}))


def account_resources(store, account_id):
    try:
        return _live(store.find(account_db(account_id), {"pvt_type": PVT_TYPE}))
    except (DatabaseMissing, ValueError):
        return []


def note_account(store, account_id):
    """Make sure the index names ``account_id`` (create-only; a race is harmless)."""
    if store.get_or_none(INDEX_DB, account_id) is None:
        try:
            store.save(INDEX_DB, {"_id": account_id, "pvt_type": "resource_account"})
        except Conflict:
            pass


def _usable(store, account_id):
    try:
        account = store.get(ACCOUNTS_DB, account_id)
    except (NotFound, ValueError):
        return False
    return chain_problem(account, load_chain(store, account)) is None


def indexed_accounts(store):
    return [doc["_id"] for doc in store.all_docs(INDEX_DB) if is_account_id(doc.get("_id"))]


def all_resources(store):
    """``[(account_id or None, resource)]``: the system's, then each usable account's."""
    found = [(None, r) for r in system_resources(store)]
    for account_id in indexed_accounts(store):
        if _usable(store, account_id):
            found.extend((account_id, r) for r in account_resources(store, account_id))
    return found


def all_gateways(store):
    """``[kzcore.carriers.Gateway]`` of every enabled resource the switch must hold."""
    return [g for _account, r in all_resources(store) for g in carriers.live_gateways(r)]

"""Account hierarchy rules shared by every service.

Account documents live in the ``accounts`` database with ``_id`` = account id
and ``pvt_tree`` = the list of ancestor ids from the root down to the parent.
An account may see itself and its descendants, nothing else.
"""
from kzcore.errors import NotFound
from kzcore.naming import ACCOUNTS_DB, is_account_id


def can_access(store, actor_account_id, target_account_id):
    """True if ``actor`` is ``target`` or one of its ancestors."""
    if not (is_account_id(actor_account_id) and is_account_id(target_account_id)):
        return False
    if actor_account_id == target_account_id:
        return True
    try:
        target = store.get(ACCOUNTS_DB, target_account_id)
    except NotFound:
        return False
    return actor_account_id in target.get("pvt_tree", [])

"""Account hierarchy rules shared by every service.

Account documents live in the ``accounts`` database with ``_id`` = account id
and ``pvt_tree`` = the list of ancestor ids from the root down to the parent.
An account may see itself and its descendants, nothing else.

The phone numbers an account owns are the dialled numbers of its conferences
(``conference_numbers``, ``member.numbers``, ``moderator.numbers``), each held
by one account system-wide in the ``kzcore.conference_numbers`` index.
"""
from kzcore import conference_numbers
from kzcore.errors import NotFound
from kzcore.naming import ACCOUNTS_DB, account_db, is_account_id


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


def owner_of_number(store, number):
    """The account document owning the dialled ``number`` (digits only), or None.

    A number counts when the index names an (account, conference) and that
    conference document, not deleted, still lists the number: a stale entry, or
    a claim whose conference was never saved, owns nothing."""
    if not isinstance(number, str) or not number.isdigit():
        return None
    entry = conference_numbers.lookup(store, number)
    if not entry:
        return None
    account_id, conference_id = entry.get("account_id"), entry.get("conference_id")
    if not is_account_id(account_id) or not isinstance(conference_id, str) \
            or not conference_id or conference_id.startswith("_"):
        return None
    try:
        conference = store.get(account_db(account_id), conference_id)
        account = store.get(ACCOUNTS_DB, account_id)
    except NotFound:  # DatabaseMissing included
        return None
    if conference.get("pvt_type") != "conference" or conference.get("pvt_deleted") \
            or number not in conference_numbers.doc_numbers(conference):
        return None
    return account if account.get("pvt_type") == "account" else None

"""Identifiers, database names and live conference names (pure)."""
import re
import uuid

ACCOUNT_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# Conference ids are usually 32-hex document ids; dynamic conferences may use a
# caller-chosen id, restricted to characters that are safe everywhere.
CONFERENCE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ACCOUNTS_DB = "accounts"
SCHEMAS_DB = "system_schemas"


def new_id():
    """A Kazoo-style 32 hex character document id."""
    return uuid.uuid4().hex


def is_account_id(value):
    return isinstance(value, str) and bool(ACCOUNT_ID_RE.fullmatch(value))


def account_db(account_id):
    """Kazoo's encoded account database name: ``account/ab/cd/efgh...``."""
    if not is_account_id(account_id):
        raise ValueError(f"not an account id: {account_id!r}")
    return f"account/{account_id[:2]}/{account_id[2:4]}/{account_id[4:]}"


def fs_conference_name(account_id, conference_id):
    """The name a conference has on FreeSWITCH: scoped by account so that two
    accounts can never address each other's live rooms."""
    if not is_account_id(account_id):
        raise ValueError(f"not an account id: {account_id!r}")
    if not CONFERENCE_ID_RE.fullmatch(conference_id or ""):
        raise ValueError(f"not a conference id: {conference_id!r}")
    return f"{account_id}_{conference_id}"


def parse_fs_conference_name(name):
    """Inverse of fs_conference_name: ``(account_id, conference_id)`` or None for
    rooms this system does not own."""
    account_id, sep, conference_id = (name or "").partition("_")
    if sep and is_account_id(account_id) and CONFERENCE_ID_RE.fullmatch(conference_id):
        return account_id, conference_id
    return None

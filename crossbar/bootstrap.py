"""Create the first (super-admin) account, its API key and an admin user.

``kz-bootstrap --account-name NAME --realm REALM --username U --password P``
prints the credentials and curl lines that use them. Idempotent: an existing
account of that name is reused, never duplicated.
"""
import argparse
import json
import logging
import secrets
import sys

from crossbar.accounts.service import account_private
from crossbar.auth.credentials import md5_credentials, normalize_account_name, sha1_credentials
from crossbar.documents import new_private
from kzcore.naming import ACCOUNTS_DB, account_db, new_id

log = logging.getLogger(__name__)


def _admin_user(account_id, username, password):
    doc = {"username": username.lower(), "first_name": "Account", "last_name": "Admin",
           "priv_level": "admin", "enabled": True,
           "pvt_md5_auth": md5_credentials(username, password),
           "pvt_sha1_auth": sha1_credentials(username, password)}
    doc.update(new_private(account_id, "user"))
    return doc


def _existing(store, account, username, password):
    db = account_db(account["_id"])
    user = store.find_one(db, {"pvt_type": "user", "username": username.lower()})
    if user is None:
        user = store.save(db, _admin_user(account["_id"], username, password))
    matches = user.get("pvt_md5_auth") == md5_credentials(username, password)
    return {"account_id": account["_id"], "api_key": account["pvt_api_key"],
            "username": user["username"], "password": password if matches else None,
            "account_name": account.get("name"), "created": False}


def bootstrap(store, *, account_name, realm, username, password, api_key=None):
    """``{account_id, api_key, username, password, account_name, created}``;
    ``password`` is None when an existing admin user has a different one."""
    normalized = normalize_account_name(account_name)
    if not normalized or not username or not password:
        raise ValueError("account name, username and password must not be empty")
    account = store.find_one(ACCOUNTS_DB, {"pvt_type": "account",
                                           "pvt_normalized_name": normalized})
    if account is not None:
        return _existing(store, account, username, password)
    account_id = new_id()
    doc = {"_id": account_id, "name": account_name, "realm": realm.lower(), "enabled": True}
    doc.update(account_private(account_id, [], account_name, api_key or secrets.token_hex(32),
                               superduper=True))
    account = store.save(ACCOUNTS_DB, doc)
    store.create_db(account_db(account_id))
    store.save(account_db(account_id), _admin_user(account_id, username, password))
    log.info("bootstrapped super-admin account", extra={"account_id": account_id})
    return {"account_id": account_id, "api_key": account["pvt_api_key"],
            "username": username.lower(), "password": password, "account_name": account_name,
            "created": True}


def usage_text(result, base_url):
    """How to authenticate, as curl lines that work as written."""
    key, account = result["api_key"], result["account_id"]
    lines = [f"account_id: {account}", f"account_name: {result['account_name']}",
             f"api_key:    {key}", f"username:   {result['username']}"]
    if result.get("password"):
        lines.append(f"password:   {result['password']}")
    lines += ["", "Authenticate with the API key and keep the token:",
              f"  TOKEN=$(curl -s -X PUT {base_url}/v2/api_auth "
              f"-d '{{\"data\":{{\"api_key\":\"{key}\"}}}}' | "
              "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"auth_token\"])')",
              "List the conferences of the account:",
              f"  curl -s -H \"X-Auth-Token: $TOKEN\" {base_url}/v2/accounts/{account}/conferences"]
    return "\n".join(lines)


def main(argv=None):
    from kzcore.config import load_config
    from kzcore.store.factory import make_store
    parser = argparse.ArgumentParser(prog="kz-bootstrap", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="TOML configuration file")
    parser.add_argument("--account-name", default="admin")
    parser.add_argument("--realm", default="admin.kazoo.local")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=None, help="default: generated")
    parser.add_argument("--api-key", default=None, help="default: generated")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    store = make_store(config)
    try:
        result = bootstrap(store, account_name=args.account_name, realm=args.realm,
                           username=args.username,
                           password=args.password or secrets.token_urlsafe(12),
                           api_key=args.api_key)
    finally:
        store.close()
    print(json.dumps(result) if args.json else usage_text(result, config.base_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Account documents live in the ``accounts`` database; ``pvt_tree`` lists the
ancestors (root first) and drives kzcore.accounts.can_access. Who may change
an account (and its ``enabled``) is crossbar.auth.policy's rule; every change
drops the account from the revocation cache (kzcore.principals)."""
import logging
import secrets

from crossbar import documents, listing
from crossbar.auth import policy
from crossbar.auth.credentials import normalize_account_name
from crossbar.resource import AccountDocuments
from kzcore.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from kzcore.naming import ACCOUNTS_DB, account_db, new_id

log = logging.getLogger(__name__)
SUMMARY_FIELDS = ("name", "realm", "enabled")
# Names and realms identify accounts at login (and realms are SIP domains), so
# they stay unique system-wide. A clash gets this one answer, whichever of the
# two clashed: no echo of the value and no hint of the account holding it.
UNAVAILABLE = "Account name or realm unavailable"


def new_api_key():
    return secrets.token_hex(32)


def account_private(account_id, tree, name, api_key=None, superduper=False):
    private = documents.new_private(account_id, "account")
    private.update(pvt_tree=list(tree), pvt_api_key=api_key or new_api_key(),
                   pvt_normalized_name=normalize_account_name(name),
                   pvt_superduper_admin=bool(superduper), pvt_account_db=account_db(account_id))
    return private


class AccountsService(AccountDocuments):
    pvt_type = "account"
    schema_id = "accounts"

    def __init__(self, store, schemas, principal=None, principals=None):
        """``principal``: the caller (None: a trusted internal caller);
        ``principals``: the PrincipalCheck whose cache changes invalidate."""
        super().__init__(store, schemas)
        self.principal = principal
        self.principals = principals

    def db_name(self, account_id):
        return ACCOUNTS_DB

    def get(self, account_id):
        return self.load(account_id, account_id)

    def before_validate(self, account_id, data, existing):
        data = dict(data)
        if isinstance(data.get("realm"), str):
            data["realm"] = data["realm"].strip().lower()
        return data

    def after_validate(self, account_id, doc_id, doc, existing):
        refusal = policy.account_change_refusal(self.principal, doc_id, existing, doc)
        if refusal:
            raise Forbidden(refusal, {"account_id": doc_id})
        name = normalize_account_name(doc.get("name"))
        if not name:
            raise ValidationFailed(data={"name": {"required": {
                "message": "Field is required but missing"}}})
        if self._taken(doc_id, "pvt_normalized_name", name) \
                or (doc.get("realm") and self._taken(doc_id, "realm", doc["realm"])):
            raise ValidationFailed(data={key: {"unique": {"message": UNAVAILABLE}}
                                         for key in ("name", "realm")})
        return {"pvt_normalized_name": name}

    def after_save(self, account_id, saved):
        self._forget(saved["_id"])

    def after_delete(self, account_id, deleted):
        self._forget(deleted["_id"])

    def _forget(self, account_id):
        if self.principals is not None:
            self.principals.forget_account(account_id)

    def _taken(self, doc_id, field, value):
        return self.store.find_one(ACCOUNTS_DB, {"pvt_type": "account", field: value,
                                                "_id": {"$ne": doc_id}}) is not None

    def create_child(self, parent_id, data):
        parent = self.get(parent_id)
        clean, _rev = documents.client_data(data)
        child_id = new_id()
        if not clean.get("realm"):
            clean["realm"] = f"{child_id[:8]}.{parent.get('realm') or 'kazoo.local'}"
        doc = self._validated(parent_id, child_id, clean, None)
        tree = list(parent.get("pvt_tree", [])) + [parent_id]
        doc.update(account_private(child_id, tree, doc.get("name")), _id=child_id)
        saved = self.store.save(ACCOUNTS_DB, doc)
        self.store.create_db(account_db(child_id))
        log.info("account created", extra={"account_id": child_id, "parent_id": parent_id})
        return saved

    def top_level_parent(self, actor_account_id):
        """The parent of a ``PUT /accounts`` (no parent in the path) create, or
        Forbidden: superduper admins only, checked before the body is read.

        ``pvt_tree == []`` is the master account's alone (the one kz-bootstrap
        makes; Kazoo: "there should only be one"), and an account with an empty
        tree would be reachable by no token but its own. As in Kazoo, where the
        parent of a path-less create is the authenticated account, the new
        account goes directly under the caller: for the bootstrapped master
        that is the top level of the hierarchy, ``pvt_tree == [master]``."""
        try:
            actor = self.get(actor_account_id)
        except NotFound:
            actor = {}
        if actor.get("pvt_superduper_admin") is not True or actor.get("enabled") is False:
            log.info("top-level account create refused", extra={"actor": actor_account_id})
            raise Forbidden("only a superduper admin may create a top-level account")
        return actor_account_id

    def remove(self, actor_account_id, account_id, if_match=None):
        """Delete a descendant account (never the caller's own, never one with
        children) and its database."""
        if account_id == actor_account_id:
            raise Forbidden("an account cannot delete itself", {"account_id": account_id})
        child = self.store.find_one(ACCOUNTS_DB, {"pvt_type": "account",
                                                  "pvt_tree": {"$elemMatch": {"$eq": account_id}}})
        if child is not None:
            raise BadRequest("account has descendants; delete them first",
                             {"cause": "account has descendants", "descendant": child["_id"]})
        deleted = self.delete(account_id, account_id, if_match)
        self.store.delete_db(account_db(account_id))
        log.info("account deleted", extra={"account_id": account_id, "by": actor_account_id})
        return deleted

    def summarize(self, doc):
        entry = {"id": doc["_id"]}
        entry.update({key: doc[key] for key in SUMMARY_FIELDS if key in doc})
        entry["tree"] = list(doc.get("pvt_tree", []))
        return entry

    def related(self, account_id, args, direct_only):
        """Children (``direct_only``) or all descendants of ``account_id``."""
        self.get(account_id)
        page_size, start_key = listing.page_request(args)
        filters = listing.filters_from(args)

        def keep(doc):
            tree = doc.get("pvt_tree") or []
            related = (tree[-1:] == [account_id]) if direct_only else account_id in tree
            return doc.get("pvt_type") == "account" and related \
                and listing.doc_passes(doc, filters)

        docs, next_key = listing.collect_page(
            lambda key, limit: self.store.all_docs(ACCOUNTS_DB, start_key=key, limit=limit),
            keep, page_size, start_key)
        items = [self.summarize(doc) for doc in docs]
        return items, listing.page_fields(items, start_key, next_key)

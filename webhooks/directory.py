"""Which webhooks an event of an account goes to, read from the store.

An event of account A goes to A's enabled webhooks and to the enabled webhooks
of A's ancestors (``pvt_tree``) that ask for ``include_subaccounts``; never to
any other account's. Lists are cached ``ttl`` seconds per account (0 = read
every time): a webhook edited through the API takes effect within ``ttl``.
"""
import dataclasses
import logging
import time

from kzcore import webhook_docs
from kzcore.errors import NotFound
from kzcore.naming import ACCOUNTS_DB, account_db, is_account_id

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Webhook:
    """What delivery needs of a webhook document (a snapshot)."""
    id: str
    account_id: str
    rev: str
    name: str
    uri: str
    http_verb: str
    hook: str
    enabled: bool
    include_subaccounts: bool
    retries: int
    secret: str
    custom_data: dict = dataclasses.field(default_factory=dict, compare=False)

    @classmethod
    def from_doc(cls, account_id, doc):
        return cls(id=doc["_id"], account_id=account_id, rev=doc.get("_rev", ""),
                   name=doc.get("name", ""), uri=doc.get("uri", ""),
                   http_verb=doc.get("http_verb", "post"), hook=doc.get("hook", ""),
                   enabled=doc.get("enabled", True) is True,
                   include_subaccounts=doc.get("include_subaccounts") is True,
                   retries=int(doc.get("retries", 2)),
                   secret=doc.get(webhook_docs.SECRET_FIELD) or "",
                   custom_data=dict(doc.get("custom_data") or {}))


class Directory:
    def __init__(self, store, ttl=5.0, clock=time.monotonic):
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._hooks = {}     # account_id -> (expires, [Webhook])
        self._trees = {}     # account_id -> (expires, [ancestor ids])
        self.reads = 0

    def webhooks_for(self, account_id):
        """Enabled webhooks that receive ``account_id``'s events."""
        if not is_account_id(account_id):
            return []
        found = [hook for hook in self.account_webhooks(account_id) if hook.enabled]
        for ancestor in self._ancestors(account_id):
            found += [hook for hook in self.account_webhooks(ancestor)
                      if hook.enabled and hook.include_subaccounts]
        return found

    def current(self, webhook):
        """The latest known version of ``webhook`` (None once deleted)."""
        for hook in self.account_webhooks(webhook.account_id):
            if hook.id == webhook.id:
                return hook
        return None

    def account_webhooks(self, account_id):
        return self._cached(self._hooks, account_id, self._read_webhooks)

    def invalidate(self, account_id):
        self._hooks.pop(account_id, None)

    def _ancestors(self, account_id):
        return self._cached(self._trees, account_id, self._read_tree)

    def _cached(self, cache, account_id, read):
        now = self.clock()
        entry = cache.get(account_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = read(account_id)
        if self.ttl > 0:
            if len(cache) > 50000:
                cache.clear()
            cache[account_id] = (now + self.ttl, value)
        return value

    def _read_webhooks(self, account_id):
        self.reads += 1
        docs = self.store.find(account_db(account_id), {"pvt_type": webhook_docs.WEBHOOK_TYPE})
        return [Webhook.from_doc(account_id, doc) for doc in docs if not doc.get("pvt_deleted")]

    def _read_tree(self, account_id):
        try:
            account = self.store.get(ACCOUNTS_DB, account_id)
        except NotFound:
            return []
        return [a for a in account.get("pvt_tree", []) if is_account_id(a) and a != account_id]

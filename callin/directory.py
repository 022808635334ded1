"""Find the conference behind a dialled number, across all accounts.

The index is ``kzcore.conference_numbers`` (one document per number), which
crossbar updates on every conference save. Every hit is checked against the
current conference document (a number removed from a conference stops working
at once). A miss triggers a rescan of all accounts, at most once per
``rescan_interval``, so numbers written by any other writer show up as well.
"""
import logging
import time

from kzcore import conference_numbers, naming
from kzcore.errors import DatabaseMissing, NotFound, StoreUnavailable
from kzcore.principals import chain_problem, load_chain

from callin.documents import load_conference, normalize_number, role_for_number

log = logging.getLogger(__name__)

INDEX_DB = conference_numbers.INDEX_DB


def index_conference(store, account_id, doc):
    """Point every number of one conference document at it (the rescan path;
    crossbar indexes on every save through ``kzcore.conference_numbers``)."""
    conference = load_conference(account_id, doc)
    if conference is None:
        return 0
    return conference_numbers.index(store, account_id, conference.conference_id,
                                    conference.all_numbers)


class ConferenceDirectory:
    def __init__(self, store, rescan_interval=30.0, clock=time.monotonic):
        self.store = store
        self.rescan_interval = rescan_interval
        self._clock = clock
        self._last_scan = None

    def find(self, number):
        """(Conference, role) for a dialled or entered number, or None."""
        number = normalize_number(number)
        if not number:
            return None
        try:
            found = self._from_index(number)
            if found is None and self._may_rescan():
                self.rebuild()
                found = self._from_index(number)
            return found
        except (StoreUnavailable, DatabaseMissing) as exc:
            log.error("conference lookup failed", extra={"number": number, "error": str(exc)})
            return None

    def conference(self, account_id, conference_id):
        """The Conference of these ids (a bridged caller's: callin.bridge), or None
        when it is gone or its account is not usable."""
        try:
            return self._load(account_id, conference_id)
        except (StoreUnavailable, DatabaseMissing) as exc:
            log.error("conference lookup failed", extra={"conference_id": conference_id,
                                                         "error": str(exc)})
            return None

    def _from_index(self, number):
        entry = conference_numbers.lookup(self.store, number)
        if not entry:
            return None
        account_id, conference_id = entry.get("account_id"), entry.get("conference_id")
        conference = self._load(account_id, conference_id)
        role = role_for_number(conference, number) if conference else None
        if role is None:
            self._drop(entry)
            return None
        return conference, role

    def _load(self, account_id, conference_id):
        if not self._account_usable(account_id):
            return None
        try:
            doc = self.store.get(naming.account_db(account_id), conference_id)
        except (NotFound, DatabaseMissing, ValueError, TypeError):
            return None
        return load_conference(account_id, doc)

    def _account_usable(self, account_id):
        """A disabled or deleted account (or one under a disabled ancestor) takes no
        callers: its numbers answer as unknown ones, as its tokens are refused."""
        try:
            account = self.store.get(naming.ACCOUNTS_DB, account_id)
        except (NotFound, ValueError, TypeError):
            account = None
        problem = chain_problem(account, load_chain(self.store, account))
        if problem:
            log.info("call-in refused: account not usable",
                     extra={"account_id": account_id, "reason": problem})
        return problem is None

    def _drop(self, entry):
        conference_numbers.drop_if_stale(self.store, entry)

    def _may_rescan(self):
        now = self._clock()
        if self._last_scan is not None and now - self._last_scan < self.rescan_interval:
            return False
        self._last_scan = now
        return True

    def rebuild(self):
        """Index every conference of every account (a miss or start-up). A number
        already indexed for a conference that still holds it stays there (the
        first owner keeps it; ``conference_numbers.index`` logs the conflict)."""
        found = []
        for account in self.store.all_docs(naming.ACCOUNTS_DB):
            account_id = account.get("_id")
            if not naming.is_account_id(account_id):
                continue
            docs = self.store.find(naming.account_db(account_id), {"pvt_type": "conference"})
            found.extend((account_id, doc) for doc in docs if not doc.get("pvt_deleted"))
        # oldest conference first: with no entry yet, the earliest creator owns a number
        found.sort(key=lambda item: (_created(item[1]), item[0], item[1].get("_id", "")))
        count = sum(index_conference(self.store, account_id, doc) for account_id, doc in found)
        log.info("call-in number index rebuilt", extra={"numbers": count})
        return count


def _created(doc):
    created = doc.get("pvt_created")
    return created if isinstance(created, (int, float)) else float("inf")

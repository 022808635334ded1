"""Login throttling for ``api_auth`` and ``user_auth``.

Failures are counted per login identifier (account name, realm or phone number,
normalised as the lookup normalises them) and per source address. After
``max_failures`` failures of one key (``max_failures_per_address`` for an
address) within ``window`` seconds, that key is locked for ``lockout`` seconds,
doubled by each further failure up to ``max_lockout``. A locked key answers 429
with ``Retry-After`` before the credentials are looked at, so even the right
password waits. A success clears the identifier's count, never the address's
(an attacker must not reset their address by logging into their own account).

``LoginThrottle`` counts in this process: it answers at once and costs no
store write. ``crossbar.auth.throttle_shared.SharedLoginThrottle`` wraps it so
that every crossbar process (gunicorn workers, instances on other machines)
also sees the others' failures (``login_throttle`` builds the configured one).
"""
import dataclasses
import ipaddress
import logging
import threading
import time

from crossbar.auth.credentials import normalize_account_name, normalize_phone_number
from kzcore.errors import TooManyAttempts, Unauthorized

log = logging.getLogger(__name__)
MAX_ENTRIES = 100_000   # keys kept; the oldest are dropped beyond this
MAX_KEY = 256           # characters of an identifier kept in a key (names are <= 128)


@dataclasses.dataclass
class _Record:
    failures: int = 0
    last_failure: float = 0.0
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, *, max_failures=5, max_failures_per_address=20, lockout=5.0,
                 max_lockout=900.0, window=900.0, clock=time.monotonic,
                 max_entries=MAX_ENTRIES):
        self.max_failures, self.max_failures_per_address = max_failures, max_failures_per_address
        self.lockout, self.max_lockout, self.window = lockout, max_lockout, window
        self.clock, self.max_entries = clock, max_entries
        self._records = {}
        self._lock = threading.Lock()
        self.failures = 0      # failed logins seen by this process (metrics)
        self.throttled = 0     # logins refused while locked

    @classmethod
    def from_config(cls, config):
        return cls(max_failures=config.login_max_failures,
                   max_failures_per_address=config.login_max_failures_per_address,
                   lockout=config.login_lockout, max_lockout=config.login_max_lockout,
                   window=config.login_window)

    def check(self, keys):
        """Raise TooManyAttempts while any of ``keys`` is locked."""
        now = self.clock()
        with self._lock:
            waits = [rec.locked_until - now for rec in map(self._records.get, keys)
                     if rec is not None and rec.locked_until > now]
        if waits:
            self.throttled += 1
            raise TooManyAttempts(max(waits))

    def stats(self):
        return {"failures": self.failures, "throttled": self.throttled}

    def failed(self, keys):
        now = self.clock()
        self.failures += 1
        with self._lock:
            for key in keys:
                rec = self._records.pop(key, None) or _Record()
                if now - rec.last_failure > self.window:
                    rec.failures = 0
                rec.failures += 1
                rec.last_failure = now
                allowed = self.max_failures_per_address if key[0] == "address" \
                    else self.max_failures
                if rec.failures >= allowed:
                    rec.locked_until = now + min(self.max_lockout,
                                                 self.lockout * 2 ** (rec.failures - allowed))
                self._records[key] = rec   # re-inserted: the dict stays oldest-first
            self._trim(now)

    def succeeded(self, keys):
        with self._lock:
            for key in keys:
                if key[0] != "address":
                    self._records.pop(key, None)

    def _trim(self, now):
        if len(self._records) <= self.max_entries:
            return
        for key in [k for k, rec in self._records.items()
                    if now - rec.last_failure > self.window and rec.locked_until <= now]:
            del self._records[key]
        while len(self._records) > self.max_entries:
            del self._records[next(iter(self._records))]


def login_throttle(config, store=None):
    """The configured throttle: shared through ``store`` across every crossbar
    process unless ``KZ_LOGIN_SYNC_INTERVAL`` is 0 (this process alone)."""
    local = LoginThrottle.from_config(config)
    interval = getattr(config, "login_sync_interval", 0)
    if store is None or not interval or interval <= 0:
        return local
    from crossbar.auth.throttle_shared import SharedLoginThrottle
    return SharedLoginThrottle.from_config(local, store, config)


def client_address(remote_addr, forwarded_for, trusted):
    """The address a login is throttled by (PURE). Behind load balancers every
    request comes from theirs: when the peer is one of ``trusted`` (networks,
    ``KZ_TRUSTED_PROXIES``), the client is the right-most ``X-Forwarded-For``
    entry that is not (entries to its left are the client's own say)."""
    if not trusted or not _within(remote_addr, trusted):
        return remote_addr
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop[:MAX_KEY]
    return remote_addr


def _within(address, networks):
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def login_keys(data, address):
    """The throttle keys of one login request (pure): its address and, for
    ``user_auth``, the identifier it names."""
    keys = [("address", address or "")]
    number, name, realm = (data.get(k) for k in ("phone_number", "account_name", "account_realm"))
    if isinstance(number, str) and number:
        keys.append(("number", normalize_phone_number(number)))
    elif isinstance(name, str) and name:
        keys.append(("name", normalize_account_name(name[:MAX_KEY])))
    elif isinstance(realm, str) and realm:
        keys.append(("realm", realm[:MAX_KEY].lower()))
    return keys


def throttled(throttle, data, address, attempt):
    """``attempt()`` unless a key is locked; an Unauthorized answer counts as a
    failure, a success clears the identifier's count."""
    if throttle is None:
        return attempt()
    keys = login_keys(data, address)
    throttle.check(keys)
    try:
        result = attempt()
    except Unauthorized:
        throttle.failed(keys)
        log.info("login failed", extra={"address": address, "keys": [k[0] for k in keys]})
        raise
    throttle.succeeded(keys)
    return result

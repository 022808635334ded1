"""One HTTP request to a webhook: checked destination, pooled connection,
bounded time and bounded reading, never a redirect followed.

The connection step is ``pool_factory(target, settings) -> pool`` (urllib3 by
default); a pool is kept per checked destination (scheme, address, port, TLS
name), so the address a name resolved to is the one connected to, and the pool
set is bounded (least recently used closed first). Tests replace the factory.
"""
import collections
import dataclasses
import logging
import time

import gevent
import urllib3
from urllib3 import exceptions as u3

from kzcore import APP_VERSION, netpolicy

log = logging.getLogger(__name__)

USER_AGENT = f"kzconf-webhooks/{APP_VERSION}"
MAX_RESPONSE = 64 * 1024     # bytes of an answer read (the rest closes the connection)
MAX_POOLS = 256


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: int | None
    error: str | None
    duration_ms: float
    connected: bool = True       # False: refused before any connection was tried

    @property
    def ok(self):
        return self.error is None and self.status is not None and 200 <= self.status < 300


@dataclasses.dataclass(frozen=True)
class PoolSettings:
    timeout: float
    pool_size: int


def urllib3_pool(target, settings):
    """A keep-alive pool to ``target.address`` (never re-resolved), speaking for
    the URL's host (Host header, TLS name and certificate check)."""
    common = dict(port=target.url.port, maxsize=settings.pool_size, block=True, retries=False,
                  timeout=urllib3.Timeout(connect=settings.timeout, read=settings.timeout))
    if target.url.scheme == "https":
        name = target.server_hostname
        return urllib3.HTTPSConnectionPool(target.address, cert_reqs="CERT_REQUIRED",
                                           server_hostname=name, assert_hostname=name or False,
                                           **common)
    return urllib3.HTTPConnectionPool(target.address, **common)


class Sender:
    def __init__(self, destinations, *, timeout, pool_size, pool_factory=urllib3_pool,
                 max_response=MAX_RESPONSE, max_pools=MAX_POOLS, clock=time.monotonic):
        self.destinations = destinations
        self.settings = PoolSettings(timeout, pool_size)
        self.pool_factory = pool_factory
        self.max_response = max_response
        self.max_pools = max_pools
        self.clock = clock
        self._pools = collections.OrderedDict()

    def send(self, method, url, body, headers):
        """``Outcome`` of one request; never raises for the endpoint's faults."""
        started = self.clock()
        try:
            target = self.destinations.target(url)
        except netpolicy.Refused as refused:
            return Outcome(None, f"refused destination: {refused}", 0.0, connected=False)
        try:
            with gevent.Timeout(self.settings.timeout * 2, TimeoutError("request took too long")):
                status = self._exchange(target, method, body, headers)
        except Exception as exc:  # noqa: BLE001 - every failure is an outcome to log
            return Outcome(None, describe_error(exc), self._ms(started))
        error = f"redirect not followed ({status})" if 300 <= status < 400 else None
        return Outcome(status, error, self._ms(started))

    def close(self):
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    def _exchange(self, target, method, body, headers):
        all_headers = {"Host": target.url.host_header, "User-Agent": USER_AGENT,
                       "Content-Type": "application/json", **headers}
        if target.url.username or target.url.password:
            all_headers.update(urllib3.make_headers(
                basic_auth=f"{target.url.username}:{target.url.password}"))
        response = self._pool(target).urlopen(
            method.upper(), target.url.target, body=body, headers=all_headers, redirect=False,
            retries=False, preload_content=False, assert_same_host=False,
            pool_timeout=self.settings.timeout)
        try:
            if len(response.read(self.max_response + 1, decode_content=False)) \
                    > self.max_response:
                response.close()       # not worth reading: the connection goes
        finally:
            response.release_conn()
        return response.status

    def _pool(self, target):
        key = target.pool_key
        pool = self._pools.pop(key, None)
        if pool is None:
            pool = self.pool_factory(target, self.settings)
        self._pools[key] = pool
        while len(self._pools) > self.max_pools:
            _key, old = self._pools.popitem(last=False)
            old.close()
        return pool

    def _ms(self, started):
        return round((self.clock() - started) * 1000, 2)


def describe_error(exc):
    """A short, stable text for the attempts log."""
    kinds = ((u3.ConnectTimeoutError, "connect timeout"), (u3.ReadTimeoutError, "read timeout"),
             (u3.NewConnectionError, "connection failed"), (u3.SSLError, "TLS error"),
             (u3.ProtocolError, "connection dropped"), (u3.EmptyPoolError, "no free connection"),
             (TimeoutError, "timeout"), (gevent.Timeout, "timeout"))
    for kind, text in kinds:
        if isinstance(exc, kind):
            return f"{text}: {exc}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]

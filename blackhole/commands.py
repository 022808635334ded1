"""What a client's message does: authenticate, authorize, (un)subscribe, pong.

``handle(session, text) -> reply text``. Runs in the session's reader greenlet;
the only I/O is the (cached) account lookups that authorize a subscribe: the
token's account, ancestors and user must still let it in (kzcore.principals,
as for an API request), and the subscribed account must be in its scope. A
session that subscribed is watched (blackhole.revocation) and closed when its
token is revoked. Every successful (un)subscribe and resume reply carries a
resume token (blackhole.resume) listing the connection's subscriptions.
"""
import logging

from kzcore.errors import KzError, Unauthorized

from blackhole import protocol
from blackhole.protocol import Command, ProtocolError
from blackhole.resume import ResumeTokens
from blackhole.revocation import SWEEP_INTERVAL, RevocationWatch

log = logging.getLogger(__name__)


class CommandHandler:
    def __init__(self, signer, scope, fanout, max_subscriptions=100,
                 sweep_interval=SWEEP_INTERVAL, resume_tokens=None):
        self._signer = signer
        self._scope = scope
        self._fanout = fanout
        self._max_subscriptions = max_subscriptions
        self._resume = resume_tokens or ResumeTokens.from_auth_signer(signer, max_subscriptions)
        self.revocations = RevocationWatch(scope.principals, sweep_interval)
        self.resumes = 0

    def handle(self, session, text):
        command = protocol.decode(text)
        if isinstance(command, ProtocolError):
            return protocol.encode_protocol_error(command)
        if command.action == "ping":
            return protocol.encode_reply(command.request_id, protocol.pong_data())
        claims = self._authenticate(command)
        if isinstance(claims, ProtocolError):
            return protocol.encode_protocol_error(claims)
        if command.action == "subscribe":
            return self._subscribe(session, command, claims)
        if command.action == "resume":
            return self._resume_subscriptions(session, command, claims)
        return self._unsubscribe(session, command, claims)

    def _authenticate(self, command: Command):
        try:
            claims = self._signer.verify(command.auth_token)
        except Unauthorized as exc:
            return ProtocolError(command.request_id, f"failed to authenticate token: {exc.message}",
                                 protocol.INVALID_CREDENTIALS)
        if not claims.get("account_id"):
            return ProtocolError(command.request_id, "failed to authenticate token: no account",
                                 protocol.INVALID_CREDENTIALS)
        try:
            self._scope.principals.check(claims)
        except KzError as exc:   # Revoked, or the store unreachable: refuse either way
            log.info("websocket token refused", extra={
                "account_id": claims.get("account_id"), "reason": exc.message})
            return ProtocolError(command.request_id, f"failed to authenticate token: {exc.message}",
                                 protocol.INVALID_CREDENTIALS)
        return claims

    def _subscribe(self, session, command, claims):
        account_id = command.account_id
        if not self._scope.allows(claims["account_id"], account_id):
            log.warning("subscription refused: account out of the token's scope",
                        extra={"session": session.id, "token_account_id": claims["account_id"],
                               "account_id": account_id, "bindings": list(command.bindings)})
            return protocol.encode_error(command.request_id, f"unauthorized account id {account_id}",
                                         protocol.FORBIDDEN)
        refused = self._over_limit(session, command.bindings, command.request_id)
        if refused:
            return refused
        self._add(session, claims, [(account_id, binding) for binding in command.bindings])
        log.info("subscribed", extra={"session": session.id, "account_id": account_id,
                                      "bindings": list(command.bindings)})
        return self._reply(session, command, claims)

    def _resume_subscriptions(self, session, command, claims):
        """Every subscription a resume token lists whose account the auth token
        may still see; the others are named in ``refused``."""
        pairs = self._resume.read(command.request_id, command.resume_token, claims["account_id"])
        if isinstance(pairs, ProtocolError):
            return protocol.encode_protocol_error(pairs)
        allowed = [(a, b) for a, b in pairs if self._scope.allows(claims["account_id"], a)]
        refused = [b for a, b in pairs if (a, b) not in allowed]
        over = self._over_limit(session, [b for _, b in allowed], command.request_id)
        if over:
            return over
        self._add(session, claims, allowed)
        self.resumes += 1
        log.info("subscriptions resumed", extra={
            "session": session.id, "token_account_id": claims["account_id"],
            "bindings": [b for _, b in allowed], "refused": refused})
        return self._reply(session, command, claims, refused=refused)

    def _over_limit(self, session, bindings, request_id):
        new = [b for b in bindings if b not in session.subscriptions]
        if len(session.subscriptions) + len(new) > self._max_subscriptions:
            return protocol.encode_error(
                request_id, f"at most {self._max_subscriptions} subscriptions per connection",
                protocol.LIMIT_EXCEEDED)
        return None

    def _add(self, session, claims, pairs):
        self.revocations.track(session, claims)
        for account_id, binding in pairs:
            session.subscriptions[binding] = account_id
            if not self._fanout.subscribe(session, binding, account_id):
                log.warning("bus binding not confirmed in time; it applies when the bus is back",
                            extra={"session": session.id, "binding": binding})

    def _reply(self, session, command, claims, **extra):
        token = self._resume.issue(claims["account_id"], session.subscriptions)
        return protocol.encode_reply(command.request_id, protocol.subscribed_data(
            session.subscriptions, resume_token=token, **extra))

    def _unsubscribe(self, session, command, claims):
        """Named bindings, else every binding (of ``account_id`` when given)."""
        if command.bindings:
            targets = [b for b in command.bindings if b in session.subscriptions]
        else:
            targets = [b for b, account in session.subscriptions.items()
                       if command.account_id in (None, account)]
        for binding in targets:
            session.subscriptions.pop(binding, None)
            self._fanout.unsubscribe(session, binding)
        log.info("unsubscribed", extra={"session": session.id, "bindings": targets})
        return self._reply(session, command, claims, unsubscribed=targets)

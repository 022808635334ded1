"""Resume tokens (blackhole.resume) through the command handler, no sockets: a
new connection gets back the subscriptions its token lists, re-authorized; a
token that is tampered with, expired, of another account or out of the auth
token's scope restores nothing it should not."""
import json

from blackhole import protocol
from blackhole.access import AccountScope
from blackhole.commands import CommandHandler
from blackhole.fanout import FanOut
from blackhole.resume import ResumeTokens
from kzcore.tokens import TokenSigner
from tests.unit.test_blackhole_protocol import CHILD, OTHER, PARENT, FakeSession, FakeStore

SECRET = "resume-unit-secret"


def gateway(secret=SECRET):
    """(handler, fan-out) of one gateway instance: a fresh one per call, as on
    another machine sharing ``secret``."""
    scope = AccountScope(FakeStore({PARENT: [], CHILD: [PARENT], OTHER: []}))
    fan = FanOut(consumer=None, scope=scope)
    return CommandHandler(TokenSigner(secret), scope, fan, max_subscriptions=5), fan


def session():
    made = FakeSession()
    made.id = 1
    return made


def send(handler, connection, action, token, **data):
    return json.loads(handler.handle(connection, json.dumps(
        {"action": action, "auth_token": token, "request_id": "q", "data": data})))


def token(account_id, secret=SECRET):
    return TokenSigner(secret).issue({"account_id": account_id})


def subscribed_elsewhere():
    """A connection on one instance subscribed for PARENT and CHILD -> resume token."""
    first, _ = gateway()
    connection = session()
    send(first, connection, "subscribe", token(PARENT), account_id=PARENT,
         binding="conference.event.a.*")
    reply = send(first, connection, "subscribe", token(PARENT), account_id=CHILD,
                 bindings=["conference.event.b.*", "conference.event.c.*"])
    return reply["data"]["resume_token"]


def test_a_new_connection_on_another_instance_gets_every_subscription_back():
    resume_token = subscribed_elsewhere()
    other, fan = gateway()
    connection = session()
    reply = send(other, connection, "resume", token(PARENT), resume_token=resume_token)
    assert reply["status"] == "success"
    assert reply["data"]["subscribed"] == ["conference.event.a.*", "conference.event.b.*",
                                           "conference.event.c.*"]
    assert connection.subscriptions == {"conference.event.a.*": PARENT,
                                        "conference.event.b.*": CHILD,
                                        "conference.event.c.*": CHILD}
    assert fan.dispatch("conference.event.b.call1", {"account_id": CHILD}) == 1
    assert fan.dispatch("conference.event.b.call1", {"account_id": OTHER}) == 0
    assert other.resumes == 1
    again = send(other, session(), "resume", token(PARENT),
                 resume_token=reply["data"]["resume_token"])        # the new token works too
    assert again["data"]["subscribed"] == reply["data"]["subscribed"]


def test_a_tampered_or_foreign_resume_token_restores_nothing():
    resume_token = subscribed_elsewhere()
    payload, signature = resume_token.split(".")
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    cases = [(tampered, token(PARENT)),
             (resume_token, token(CHILD)),                       # issued to PARENT's token
             (TokenSigner("other-deployment").derived("kz-blackhole-resume").issue(
                 {"account_id": PARENT, "subs": [[OTHER, "conference.#"]]}), token(PARENT)),
             (token(PARENT), token(PARENT))]                     # an auth token is no resume token
    for candidate, auth in cases:
        handler, fan = gateway()
        connection = session()
        reply = send(handler, connection, "resume", auth, resume_token=candidate)
        assert reply["status"] == "error", candidate
        assert reply["data"]["error_id"] == protocol.INVALID_RESUME_TOKEN
        assert connection.subscriptions == {} and fan.stats()["subscriptions"] == 0


def test_a_resume_token_never_widens_the_auth_tokens_scope():
    signer = TokenSigner(SECRET)
    forged_by_us = ResumeTokens.from_auth_signer(signer).issue(
        CHILD, {"conference.event.x.*": PARENT, "conference.event.y.*": CHILD})
    handler, _ = gateway()
    connection = session()
    reply = send(handler, connection, "resume", token(CHILD), resume_token=forged_by_us)
    assert reply["status"] == "success"
    assert reply["data"]["subscribed"] == ["conference.event.y.*"]      # CHILD may not see PARENT
    assert reply["data"]["refused"] == ["conference.event.x.*"]
    bad_auth = send(handler, session(), "resume", "not-a-token", resume_token=forged_by_us)
    assert bad_auth["data"]["error_id"] == protocol.INVALID_CREDENTIALS


def test_an_expired_resume_token_is_refused_and_a_missing_one_is_a_bad_request():
    now = [1000.0]
    signer = TokenSigner(SECRET, clock=lambda: now[0])
    tokens = ResumeTokens.from_auth_signer(signer)
    old = tokens.issue(PARENT, {"conference.event.a.*": PARENT})
    now[0] += 25 * 3600
    assert tokens.read("q", old, PARENT).message == "invalid resume token: expired"
    handler, _ = gateway()
    reply = send(handler, session(), "resume", token(PARENT))
    assert reply["data"]["error_id"] == protocol.BAD_REQUEST
    assert reply["data"]["message"] == "missing required keys : resume_token"

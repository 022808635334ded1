"""Conference numbers and PINs are bounded, over HTTP: at most 100 per list, a cap
per account on claimed numbers (KZ_MAX_NUMBERS_PER_ACCOUNT), and claiming many
numbers lets the server answer others meanwhile (the claim yields)."""
import gevent
import pytest
import requests

from kzcore import conference_numbers
from tests.security.limits_support import crossbar_server

CAP = 250


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    made = crossbar_server(tmp_path_factory.mktemp("numbers"), max_numbers_per_account=CAP)
    yield made
    made.stop()


def _numbers(start, count):
    return [str(start + n) for n in range(count)]


def _create(server, token, doc):
    reply = requests.put(server.url(f"/v2/accounts/{server.admin['account_id']}/conferences"),
                         json={"data": doc}, timeout=30, headers={"X-Auth-Token": token})
    return reply.status_code, reply.json()


def _held(server):
    return conference_numbers.held_by_account(server.store, server.admin["account_id"])


@pytest.mark.parametrize("field, doc", [
    ("conference_numbers", {"conference_numbers": _numbers(710000, 101)}),
    ("member.numbers", {"member": {"numbers": _numbers(720000, 101)}}),
    ("moderator.numbers", {"moderator": {"numbers": _numbers(730000, 101)}}),
    ("member.pins", {"member": {"pins": _numbers(1000, 101)}}),
    ("moderator.pins", {"moderator": {"pins": _numbers(2000, 101)}}),
    ("flags", {"flags": [f"f{n}" for n in range(101)]}),
])
def test_a_list_of_more_than_100_is_refused_and_nothing_is_claimed(server, field, doc):
    before = _held(server)
    status, body = _create(server, server.token(), {"name": "too many", **doc})
    assert status == 400, body
    assert body["data"][field]["maxItems"]["target"] == 100
    assert _held(server) == before


def test_an_account_cannot_claim_more_numbers_than_its_cap(server):
    token = server.token()
    before = _held(server)
    status, body = _create(server, token, {"name": "first hundred",
                                           "conference_numbers": _numbers(800000, 100)})
    assert status == 201, body
    first = body["data"]["id"]
    status, body = _create(server, token, {"name": "second hundred",
                                           "member": {"numbers": _numbers(810000, 100)}})
    assert status == 201, body
    status, body = _create(server, token, {"name": "over the cap",
                                           "moderator": {"numbers": _numbers(820000, 100)}})
    assert status == 400, body
    limit = body["data"]["conference_numbers"]["account_limit"]
    assert (limit["target"], limit["value"]) == (CAP, before + 300)
    assert _held(server) == before + 200
    assert conference_numbers.lookup(server.store, "820000") is None
    # replacing a conference's own numbers is not counted twice
    reply = requests.patch(server.url(f"/v2/accounts/{server.admin['account_id']}/conferences/"
                                      f"{first}"), timeout=30, headers={"X-Auth-Token": token},
                           json={"data": {"conference_numbers": _numbers(830000, 100)}})
    assert reply.status_code == 200, reply.text[:300]
    assert _held(server) == before + 200


def test_claiming_many_numbers_lets_other_requests_through(server, tmp_path):
    """A create claiming 300 numbers; once its first claim is in the index, a
    second client asks for something else and is answered before the create is."""
    quiet = crossbar_server(tmp_path, max_numbers_per_account=1000)
    try:
        token = quiet.token()
        doc = {"name": "many", "conference_numbers": _numbers(900000, 100),
               "member": {"numbers": _numbers(910000, 100)},
               "moderator": {"numbers": _numbers(920000, 100)}}
        finished = []

        def create():
            status, _ = _create(quiet, token, doc)
            finished.append(("create", status))

        def probe():
            while conference_numbers.lookup(quiet.store, "900000") is None:
                gevent.sleep(0.001)
            reply = requests.get(quiet.url("/v2/openapi.json"), timeout=30)
            finished.append(("probe", reply.status_code))
        gevent.joinall([gevent.spawn(create), gevent.spawn(probe)], timeout=60, raise_error=True)
        assert finished == [("probe", 200), ("create", 201)]
    finally:
        quiet.stop()

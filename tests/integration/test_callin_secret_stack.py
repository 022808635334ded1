"""The one-process stack (``./run.sh``, kzdemo.stack) with KZ_CALLIN_SECRET set: its
simulated dialplan sets ``callin_secret`` before ``socket`` as fs_conf's does, so
callers still join; a caller reaching the socket without it is refused."""
import pytest

from fssim import outbound
from kzcore import naming
from kzcore.config import load_config
from tests.support.waiting import wait_for

ACCOUNT = "5ec5" + "b" * 28


@pytest.fixture
def product(tmp_path):
    from kzdemo.stack import Stack
    config = load_config(env={"KZ_CALLIN_SECRET": "stack-secret"}, store_path=":memory:",
                         listen_port=0, blackhole_port=0, callin_port=0,
                         esl_nodes="freeswitch@secret=127.0.0.1:0:ClueCon",
                         recordings_dir=str(tmp_path / "rec"), token_secret="secret-test")
    stack = Stack(config, time_scale=0.02).start()
    stack.store.save(naming.ACCOUNTS_DB, {"_id": ACCOUNT, "pvt_type": "account", "name": "S"})
    stack.store.create_db(naming.account_db(ACCOUNT))   # the product never creates it on a write
    stack.store.save(naming.account_db(ACCOUNT), {
        "_id": "room", "pvt_type": "conference", "name": "room",
        "member": {"numbers": ["8800"], "join_muted": False}})
    yield stack
    stack.stop()


def test_a_caller_through_the_stacks_dialplan_joins(product):
    room = naming.fs_conference_name(ACCOUNT, "room")
    caller = outbound.place_call(product.sim.core, "8800", "5551234", "Caller")
    wait_for(lambda: product.sim.json_list(room))
    assert product.sim.json_list(room)[0]["members"][0]["caller_id_number"] == "5551234"
    outbound.hangup_with_event(caller)


def test_a_socket_without_the_secret_is_refused(product):
    core = product.sim.core
    core.dialplan.add(r"^(9\d{3})$", outbound.socket_extension("127.0.0.1", product.callin.port))
    caller = outbound.place_call(core, "9800", "5550000", "Forger")
    wait_for(lambda: not caller.is_up)
    assert product.callin.stats["refused_secret"] == 1

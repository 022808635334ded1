"""The admin UI's websocket client (crossbar/static/js/live.js) behind a load
balancer of two gateways: when the instance it is connected to goes away, it
reconnects through the balancer to the other one, sends its subscriptions
again, asks the page to re-read what it may have missed, and keeps receiving
events."""
import pytest

from blackhole.server import create_gateway
from tests.support.lb import RoundRobinProxy
from tests.support.scrape import wait_for

pytestmark = pytest.mark.browser

START_SOCKET = """async ([url, token, accountId, binding]) => {
    const { LiveSocket } = await import("/ui/js/live.js");
    const seen = window.kzSeen = { states: [], events: [], resyncs: 0 };
    window.kzSocket = new LiveSocket(url, { token, accountId }, {
        onEvent: (message) => seen.events.push(message.data.call_id),
        onStatus: (state) => seen.states.push(state),
        onResync: () => { seen.resyncs += 1; },
    }).start();
    window.kzSocket.subscribe(binding);
}"""


def seen(page):
    return page.evaluate("() => JSON.parse(JSON.stringify(window.kzSeen))")


@pytest.fixture
def balanced(stack):
    """A second gateway on the stack's bus, first in a round-robin proxy's turn."""
    extra = create_gateway(stack.config.replace(blackhole_port=0), consumer=stack.bus.consumer(),
                           signer=stack.signer, store=stack.store)
    extra.start()
    product = stack.parts.get("gateway") or stack.parts["product"].gateway
    proxy = RoundRobinProxy([("127.0.0.1", extra.port), ("127.0.0.1", product.port)]).start()
    yield extra, proxy
    proxy.cut()
    extra.stop()


def test_live_js_resubscribes_on_the_other_gateway_and_keeps_receiving(page, stack, balanced):
    extra, proxy = balanced
    status, body = stack.api("PUT", f"/accounts/{stack.account_id}/conferences",
                             {"name": "Failover room"})
    assert status == 201
    room = stack.fs_name(body["data"]["id"])
    page.goto(stack.ui_url)
    page.evaluate(START_SOCKET, [proxy.url("ws", "/"), stack.token(), stack.account_id,
                                 f"conference.event.{body['data']['id']}.*"])
    wait_for(lambda: seen(page)["states"][-1:] == ["live"])
    assert proxy.served == [1, 0]                       # on the extra gateway
    alice = stack.sim.join(room, "1001", "Alice")
    wait_for(lambda: alice.uuid in seen(page)["events"])
    resyncs = seen(page)["resyncs"]

    extra.stop()                                        # its instance goes away
    wait_for(lambda: "reconnecting" in seen(page)["states"], timeout=5)
    wait_for(lambda: seen(page)["states"][-1:] == ["live"], timeout=15)
    assert proxy.served[1] >= 1                         # now on the product's gateway
    assert seen(page)["resyncs"] > resyncs              # told to re-read what it missed
    bob = stack.sim.join(room, "1002", "Bob")
    wait_for(lambda: bob.uuid in seen(page)["events"])
    page.evaluate("() => window.kzSocket.stop()")

"""round4/project_session again: the product (crossbar + ecallmgr, in one process, on
their defaults with the embedded store: kzdemo.stack.Stack) drives a simulated switch
set up as the recorded one, through a recording proxy (tests/support/esl_proxy.py),
with the API scenario of round4/README.txt. The commands it sends and the replies it
gets can then be set against conn-00N.tx.esl / .rx.esl."""
import os
import re

import requests

from fssim import Simulator
from kzdemo.stack import Stack as ProductStack
from tests.support.esl_proxy import RecordingProxy
from tests.support.round4 import configure_round4_rig, wav_bytes

HTTP_TIMEOUT = 15.0
FIRST_MEMBER_ID = 60  # the recorded session's member ids: 60, 61, 62, recording 63, 64
CALLER = {"caller_id_number": "5551000", "caller_id_name": "Acceptance"}
DYNAMIC_ID = "87f38529ce964c20ad52d837487207c8"  # a conference id with no document


class ProxiedStack(ProductStack):
    """The product's own composition, its switch being the round-4 rig behind a
    recording proxy (and no call-in service: its dialplan would take 9001)."""

    def _start_switch(self):
        node = self.config.nodes[0]
        os.makedirs(self.config.recordings_dir, exist_ok=True)
        self.sim = Simulator(host="127.0.0.1", port=0, password=node.password, hostname="vm",
                             first_member_id=FIRST_MEMBER_ID)
        configure_round4_rig(self.sim)
        host, port = self.sim.start()
        self.proxy = RecordingProxy((host, port))
        proxy_port = self.proxy.start()
        self.config = self.config.replace(
            esl_nodes=f"{node.name}=127.0.0.1:{proxy_port}:{node.password}")
        self._stoppers += [self.sim.stop, self.proxy.stop]

    def live_room(self, conference_id):
        from kzcore.naming import fs_conference_name
        return fs_conference_name(self.account_id, conference_id)


def start_product(tmp_dir):
    from crossbar.bootstrap import bootstrap
    from kzcore.config import load_config
    config = load_config(env={}, store_path=":memory:", esl_timeout=3.0,
                         esl_nodes="freeswitch@vm=127.0.0.1:0:ClueCon", listen_port=0,
                         blackhole_port=0, token_secret="project-session-secret",
                         recordings_dir=str(tmp_dir / "recordings"), node_name="kz@test",
                         log_format="text")
    # no lifecycle service: the recorded session predates it (its own ESL connection)
    product = ProxiedStack(config, with_callin=False, with_lifecycle=False).start()
    assert product.ecallmgr.pool.wait_connected(5.0) and product.live.pool.wait_connected(5.0)
    admin = bootstrap(product.store, account_name="Acceptance", realm="acceptance.test",
                      username="admin", password="acceptance-pass")
    return product, admin


class Api:
    """The REST calls of the scenario, as the admin of the bootstrapped account."""

    def __init__(self, product, admin):
        self.base = f"http://127.0.0.1:{product.config.listen_port}/v2"
        self.account = admin["account_id"]
        reply = requests.put(f"{self.base}/api_auth", timeout=HTTP_TIMEOUT,
                             json={"data": {"api_key": admin["api_key"]}})
        self.headers = {"X-Auth-Token": reply.json()["auth_token"]}

    def call(self, method, tail, data=None, raw=None):
        url = f"{self.base}/accounts/{self.account}{tail}"
        if raw is not None:
            return requests.request(method, url, data=raw, timeout=HTTP_TIMEOUT,
                                    headers={**self.headers, "Content-Type": "audio/wav"})
        return requests.request(method, url, timeout=HTTP_TIMEOUT, headers=self.headers,
                                json=None if data is None else {"data": data})

    def action(self, conference_id, action, data=None, tail=""):
        return self.call("PUT", f"/conferences/{conference_id}{tail}",
                         {"action": action, "data": data or {}})


def run_scenario(api, product, wait):
    """The README's scenario; returns {step: status code} (checked by the caller).
    ``wait(predicate)`` polls the switch (the simulator, in-process: no ESL traffic)."""
    status = {}
    # The recorded product (0d16bbe) sent every number to the dialplan; numbers that are
    # not ours now go through carriers, so a conference claims the far ends' numbers
    # (documents only: no ESL traffic) and the product dials them as it did then.
    far_ends = api.call("PUT", "/conferences", {"name": "Far ends",
                                                "conference_numbers": ["9001", "9002", "8001",
                                                                       "9004"]})
    status["claim far-end numbers"] = far_ends.status_code
    created = api.call("PUT", "/conferences", {"name": "Round 4"})
    conference_id = created.json()["data"]["id"]
    status["create"] = created.status_code
    status["lock while not running"] = api.action(conference_id, "lock").status_code
    dial = api.action(conference_id, "dial", {"endpoints": ["9001", "9002", "8001"], **CALLER})
    status["dial"] = dial.status_code
    status["read"] = api.call("GET", f"/conferences/{conference_id}").status_code
    participants = api.call("GET", f"/conferences/{conference_id}/participants")
    status["participants"] = participants.status_code
    members = sorted(m["participant_id"] for m in participants.json()["data"])
    _member_steps(api, conference_id, members, status)
    status["play tts"] = api.action(conference_id, "play",
                                    {"media_id": "tts://hello from acceptance"}).status_code
    status["play media"] = api.action(conference_id, "play",
                                      {"media_id": _upload_media(api)}).status_code
    status["record start"] = api.action(conference_id, "record", {"action": "start"}).status_code
    status["record stop"] = api.action(conference_id, "record", {"action": "stop"}).status_code
    status["relate"] = api.action(conference_id, "relate", {
        "participant_id": members[2], "other_participant": members[1],
        "relationship": "mute"}, tail="/participants").status_code
    status["mute unknown member"] = api.action(conference_id, "mute",
                                               tail="/participants/4242").status_code
    status["kick"] = api.action(conference_id, "kick", tail=f"/participants/{members[0]}").status_code
    wait(lambda: len(product.sim.json_list(product.live_room(conference_id))[0]["members"]) == 2)
    product.sim.api("hupall")  # from the switch side: not through the product
    wait(lambda: not product.sim.json_list(product.live_room(conference_id)))
    status["read after hupall"] = api.call("GET", f"/conferences/{conference_id}").status_code
    dynamic = api.action(DYNAMIC_ID, "dial", {"endpoints": ["9004"]})
    status["dial dynamic"] = dynamic.status_code
    return conference_id, members, status


def _member_steps(api, conference_id, members, status):
    first, second, third = members
    one = f"/participants/{third}"
    status["mute"] = api.action(conference_id, "mute", tail=one).status_code
    status["unmute"] = api.action(conference_id, "unmute", tail=one).status_code
    two = f"/participants/{second}"
    status["deaf"] = api.action(conference_id, "deaf", tail=two).status_code
    status["undeaf"] = api.action(conference_id, "undeaf", tail=two).status_code
    status["lock"] = api.action(conference_id, "lock").status_code
    status["read locked"] = api.call("GET", f"/conferences/{conference_id}").status_code
    status["unlock"] = api.action(conference_id, "unlock").status_code
    status["bulk mute"] = api.action(conference_id, "mute", tail="/participants").status_code
    status["bulk unmute"] = api.action(conference_id, "unmute", tail="/participants").status_code


def _upload_media(api):
    media_id = api.call("PUT", "/media", {"name": "Welcome"}).json()["data"]["id"]
    uploaded = api.call("POST", f"/media/{media_id}/raw", raw=wav_bytes(0.5))
    assert uploaded.status_code == 200, uploaded.text
    return media_id


def normalise(text, recordings_root=None):
    """Ids, uuids, the media link's token and host, the recordings directory."""
    if recordings_root:
        text = text.replace(recordings_root, "/var/kzr4/recordings")
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text)
    text = re.sub(r"/v2/live_media/[^/\s]+/", "/v2/live_media/<token>/", text)
    text = re.sub(r"http://127\.0\.0\.1:\d+/", "http://<crossbar>/", text)
    return re.sub(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])", "<id>", text)

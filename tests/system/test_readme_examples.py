"""The README's curl examples, run as written against the one-command stack.

The only change made to them is the port: the stack listens on a free port
instead of 8000 so the test never collides with a running ./run.sh.
"""
import re
import subprocess

import pytest

from kzcore.config import load_config
from tests.support.paths import REPO

pytestmark = pytest.mark.slow


def readme_shell_blocks():
    text = (REPO / "README.md").read_text()
    section = text.split("## Try it", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


@pytest.fixture
def demo_stack(tmp_path):
    from kzdemo.demo import ensure_demo
    from kzdemo.stack import Stack

    config = load_config(env={}, store_path=str(tmp_path / "store.sqlite3"), listen_port=0,
                         blackhole_port=0, callin_port=0,
                         esl_nodes="freeswitch@readme=127.0.0.1:0:ClueCon",
                         recordings_dir=str(tmp_path / "rec"), token_secret="readme-test")
    stack = Stack(config, time_scale=0.05).start()
    demo = ensure_demo(stack)
    yield stack, demo
    stack.stop()


def test_readme_has_the_two_commands():
    text = (REPO / "README.md").read_text()
    assert "./run.sh" in text and "./test.sh" in text
    ci_lines = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    # CI runs the README's command, adding only pytest reporting options (skip reasons,
    # no colour) so that .ci/run can read the summary line and fail on skips
    [run] = [line for line in ci_lines if line.startswith("./test.sh")]
    words = run.split("|")[0].split()
    assert words[0] == "./test.sh" and set(words[1:]) <= {"-rfEs", "--color=no", '"$@"', "2>&1"}, run


def test_readme_curl_examples_work_as_written(demo_stack):
    stack, demo = demo_stack
    from fssim import Simulator  # noqa: F401 - the stack's simulator is the switch here
    from kzcore.naming import fs_conference_name
    room = fs_conference_name(demo["account_id"], demo["conference_id"])
    stack.sim.join(room, "1001", "Alice", moderator=True)
    stack.sim.join(room, "1002", "Bob")
    blocks = readme_shell_blocks()
    assert len(blocks) >= 4
    script = "set -euo pipefail\n" + "\n".join(blocks)
    script = script.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{stack.config.listen_port}")
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert f"for account {demo['account_id']}" in out
    assert '"validation error"' in out and "conference_numbers.0" in out
    members = {p["caller_id_name"]: p for p in stack.sim.json_list(room)[0]["members"]
               if p.get("type") != "recording_node"}
    # the bulk mute skipped the moderator and muted Bob, then lock/unlock left it unlocked
    assert members["Bob"]["flags"]["can_speak"] is False
    assert members["Alice"]["flags"]["can_speak"] is True
    assert stack.sim.json_list(room)[0]["locked"] is False
    # bulk hold then unhold; the stop retried with the same command_id reached the switch once
    assert any(c == f"conference {room} hold {members['Bob']['id']} local_stream://moh"
               for c in stack.sim.command_log)
    assert not members["Bob"]["flags"]["hold"]
    assert [c for c in stack.sim.command_log if c == f"conference {room} stop all"] == \
        [f"conference {room} stop all"]


def test_readme_documents_every_setting():
    from kzcore.config import SETTINGS
    text = (REPO / "README.md").read_text()
    missing = [var for var, *_ in SETTINGS.values() if f"`{var}`" not in text]
    assert not missing, f"settings missing from the README's configuration table: {missing}"

"""The planted bugs of issue 19, each checked in a scratch copy (tests/MUTATION.md).

    .venv/bin/python bench/planted_bugs.py [BUG ...]      # default: every bug

The scratch copy is ``git archive HEAD`` unpacked in a temporary directory with a
throw-away git repository of its own (to restore it after each bug); the tree this
runs from is never written to. Each bug is planted by replacing one exact piece of
text (which must occur once), its tests run there with this venv's python, the copy
is restored, and the failing tests are printed. A bug that fails no test is the
finding. The browser bugs need Chromium (tests/support/needs.py).
"""
import pathlib
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
PY = sys.executable

BUGS = {
 "ui_unlock": ("crossbar/static/js/views/room_controls.js",
               'lock.dataset.next = room.is_locked ? "unlock" : "lock";',
               'lock.dataset.next = room.is_locked ? "lock" : "lock";',
               ["tests/browser/test_admin_ui_every_control.py", "tests/browser/test_admin_ui.py"]),
 "ui_undeaf": ("crossbar/static/js/views/participants.js",
               'this.act(this.state.hear ? "deaf" : "undeaf")',
               'this.act(this.state.hear ? "deaf" : "deaf")',
               ["tests/browser/test_admin_ui_every_control.py", "tests/browser/test_admin_ui.py"]),
 "mute_unmute_swap": ("kzcore/fs_commands/__init__.py",
               '"mute": _member_action("mute"),\n    "unmute": _member_action("unmute"),',
               '"mute": _member_action("unmute"),\n    "unmute": _member_action("mute"),',
               ["tests/unit/test_fs_commands.py", "tests/unit/test_fs_commands_controls.py",
                "tests/unit/test_fs_commands_recorded.py"]),
 "proxy_headers": ("crossbar/xmlcurl/access.py",
               'PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host")',
               'PROXY_HEADERS = ("X-Forwarded-For",)',
               ["tests/integration/test_xmlcurl_proxy_headers.py",
                "tests/integration/test_xmlcurl_endpoints.py"]),
 "bad_document_writes": ("crossbar/resource.py",
               '        _check_revision(existing, claimed_rev)\n        doc = self._validated(',
               '        _check_revision(existing, claimed_rev)\n'
               '        self.store.save(self.db_name(account_id), dict(existing))  # planted\n'
               '        doc = self._validated(',
               ["tests/integration/test_api_bad_input.py"]),
 "greenlet_tracebacks": ("kzcore/logs.py",
               '    Hub.print_exception = _log_greenlet_error\n',
               '    pass  # planted: gevent prints its multi-line traceback\n',
               ["tests/unit/test_logs.py", "tests/system/test_json_logs.py"]),
 "plain_text_logs": ("kzcore/logs.py",
               '    if fmt == "json":\n        handler.setFormatter(JsonFormatter())',
               '    if False:  # planted\n        handler.setFormatter(JsonFormatter())',
               ["tests/unit/test_logs.py", "tests/system/test_json_logs.py"]),
 "blackhole_rabbit_skips": ("tests/integration/test_blackhole_rabbit.py",
               '@pytest.fixture\ndef rabbit(amqp_url, temp_exchange):\n    made = Rabbit(amqp_url, temp_exchange)\n',
               'AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")\n\n\n'
               '@pytest.fixture\ndef rabbit(temp_exchange):\n    try:\n'
               '        made = Rabbit(AMQP_URL, temp_exchange)\n    except Exception as exc:\n'
               '        pytest.skip(f"RabbitMQ not reachable at {AMQP_URL}: {exc!r}")\n',
               ["tests/unit/test_no_silent_skips.py", "tests/integration/test_blackhole_rabbit.py"]),
}


def scratch_copy(root):
    """HEAD of this tree, unpacked in ``root`` with a git repository of its own."""
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    modules = REPO / "tests" / "node" / "node_modules"
    if modules.exists():
        (root / "tests" / "node" / "node_modules").symlink_to(modules.resolve())
    for command in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.email=plant@localhost", "-c", "user.name=plant",
                     "commit", "-qm", "scratch"]):
        subprocess.run(command, cwd=root, check=True)


def run(root, name):
    path, old, new, tests = BUGS[name]
    target = root / path
    text = target.read_text()
    assert text.count(old) == 1, (name, text.count(old))
    target.write_text(text.replace(old, new))
    try:
        started = time.time()
        result = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfEs",
                                 "--color=no", *tests], cwd=root, capture_output=True, text=True)
        failed = [l for l in result.stdout.splitlines() if l.startswith(("FAILED", "ERROR"))]
        summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"
        print(f"{name}: exit {result.returncode} ({time.time() - started:.0f}s) {summary}", flush=True)
        for line in failed:
            print("   ", line[:200], flush=True)
    finally:
        subprocess.run(["git", "checkout", "-q", "--", "."], cwd=root, check=True)
        assert target.read_text() == text


def main(names):
    with tempfile.TemporaryDirectory(prefix="kz-planted-") as scratch:
        root = pathlib.Path(scratch)
        scratch_copy(root)
        for name in names or BUGS:
            run(root, name)


if __name__ == "__main__":
    main(sys.argv[1:])

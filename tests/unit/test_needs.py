"""A service the suite needs (RabbitMQ, the CouchDB-API server) that is missing
fails its tests; only KZ_TEST_ALLOW_SKIP=1 turns that into skips."""
import subprocess
import sys

import pytest

from tests.support.couch import free_port
from tests.support.needs import ALLOW_SKIP_VAR, service_missing
from tests.support.paths import REPO

NEEDY_TESTS = '''
def test_needs_rabbitmq(amqp_url):
    pass


def test_needs_couchdb(couch_url):
    pass
'''


def run_needy_tests(tmp_path, **env):
    """Outcome summary of two tests whose services point at a closed port."""
    path = tmp_path / "test_needy.py"
    path.write_text(NEEDY_TESTS)
    closed = free_port()
    environ = {"PATH": "/usr/bin:/bin", "KZ_AMQP_URL": f"amqp://guest:guest@127.0.0.1:{closed}/",
               "COUCHDB_URL": f"http://127.0.0.1:{closed}", **env}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.support.rabbit",
         "-p", "tests.support.couch", "--rootdir", str(tmp_path), str(path)],
        cwd=REPO, env=environ, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout.strip().splitlines()[-1]


def test_missing_services_fail_their_tests(tmp_path):
    status, summary = run_needy_tests(tmp_path)
    assert status != 0 and summary.startswith("2 errors") and "skipped" not in summary, summary


def test_the_opt_out_skips_them_instead(tmp_path):
    status, summary = run_needy_tests(tmp_path, **{ALLOW_SKIP_VAR: "1"})
    assert status == 0 and summary.startswith("2 skipped"), summary


@pytest.mark.parametrize("value, skips", [("", False), ("0", False), ("1", True), ("yes", True)])
def test_only_a_set_opt_out_skips(monkeypatch, value, skips):
    monkeypatch.setenv(ALLOW_SKIP_VAR, value)
    expected = pytest.skip.Exception if skips else pytest.fail.Exception
    with pytest.raises(expected, match="Chromium is not available: gone"):
        service_missing("Chromium", "gone", "Install it")

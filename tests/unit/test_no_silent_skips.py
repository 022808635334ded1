"""No test skips quietly (issue 19): a test that needs something missing fails through
tests/support/needs.py (``service_missing``), whose ``KZ_TEST_ALLOW_SKIP=1`` opt-out is
the only way to a skip; and broker / store URLs reach the tests only through the
fixtures of tests/support (``amqp_url`` reads ``KZ_AMQP_URL``), never from a private
environment name of one test module."""
import re

import pytest

from tests.support.paths import REPO

TESTS = REPO / "tests"
ALLOWED = {TESTS / "support" / "needs.py", TESTS / "unit" / "test_no_silent_skips.py",
           TESTS / "unit" / "test_needs.py"}
SKIPS = re.compile(r"pytest\.skip\(|importorskip\(|mark\.skip\b|mark\.skipif\(|pytest\.xfail\("
                   r"|mark\.xfail\b")
SERVICE_ENV = re.compile(r"(?:environ\.get|getenv|environ\[)\(?\s*['\"]([A-Z_0-9]*(?:AMQP|RABBIT"
                         r"|COUCH|CHROM)[A-Z_0-9]*)['\"]")


def _sources():
    return sorted(path for path in TESTS.rglob("*.py")
                  if path not in ALLOWED and "node_modules" not in path.parts)


def offending(pattern, paths, allow=lambda path, match: False):
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in pattern.finditer(line):
                if not allow(path, match):
                    found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    return found


def test_no_test_skips_except_through_needs():
    assert offending(SKIPS, _sources()) == []


def test_service_urls_come_from_the_support_fixtures_under_kz_names():
    def allowed(path, match):   # tests/support reads the documented names for everyone
        return path.parent == TESTS / "support" and match.group(1) in ("KZ_AMQP_URL",
                                                                       "COUCHDB_URL")
    assert offending(SERVICE_ENV, _sources(), allowed) == []


@pytest.mark.parametrize("line, flagged", [
    ('        pytest.skip(f"RabbitMQ not reachable at {AMQP_URL}")', True),
    ('    consumer_module = pytest.importorskip("kzcore.bus.pika_consumer")', True),
    ('@pytest.mark.skipif(not HAVE_CHROME, reason="no chromium")', True),
    ("    service_missing('RabbitMQ', str(exc), 'Start it')", False),
])
def test_the_skip_pattern(line, flagged):
    assert bool(SKIPS.search(line)) is flagged


def test_the_service_env_pattern():
    assert SERVICE_ENV.search('AMQP_URL = os.environ.get("AMQP_URL", "amqp://")').group(1) == \
        "AMQP_URL"
    assert SERVICE_ENV.search('os.environ["PATH_INFO"]') is None

"""schemathesis against the API on the simulator-backed stack (tests/support/openapi_fuzz.py):
zero failures and no server error, with an authenticated account and its id."""
import pytest

from tests.integration.test_live_support import rig  # noqa: F401  (fixture)
from tests.support import openapi_fuzz

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def quick_dials(rig, monkeypatch):  # noqa: F811
    """A dial answers once its legs are decided or after its wait (10 s, up to 35 s with
    a timeout): the simulator's far ends never answer the random endpoints generated,
    so the run would mostly wait. Shortened here, the answers are the same in kind
    (legs still pending are reported as such)."""
    from crossbar.live import dialing
    monkeypatch.setattr(dialing, "MAX_DIAL_WAIT", 1.0)
    monkeypatch.setattr(rig.live.dialer, "wait", 0.5)


def test_schemathesis_finds_nothing(rig, quick_dials, tmp_path, capsys):  # noqa: F811
    account = rig.alpha
    result = openapi_fuzz.run(rig.config.public_url, account.token, account.account_id, tmp_path)
    print(result.output[-6000:])
    with capsys.disabled():
        print(f"\nschemathesis: {result.cases} test cases generated, {result.summary}")
    assert result.cases > 0, result.output[-3000:]
    assert result.returncode == 0, result.output[-20000:]

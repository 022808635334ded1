"""schemathesis against the API on the simulator-backed stack (tests/support/openapi_fuzz.py):
zero failures and no server error, with an authenticated account and its id."""
import pytest

from tests.integration.test_live_support import rig  # noqa: F401  (fixture)
from tests.support import openapi_fuzz

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_schemathesis_finds_nothing(rig, tmp_path):  # noqa: F811
    account = rig.alpha
    result = openapi_fuzz.run(rig.config.public_url, account.token, account.account_id, tmp_path)
    print(result.output[-6000:])
    print(f"schemathesis generated {result.cases} test cases")
    assert result.cases > 0, result.output[-3000:]
    assert result.returncode == 0, result.output[-20000:]

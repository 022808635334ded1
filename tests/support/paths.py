"""Where the recorded FreeSWITCH traffic lives.

The recordings are vendored in ``tests/fixtures/freeswitch`` (a byte-exact copy of
the team's ``shared/fixtures/freeswitch``), so that a bare clone runs the suite.
``KZ_SHARED_DIR`` points the tests at another copy of ``shared/`` instead;
``tests/unit/test_fixtures_copy.py`` checks the copy against ``shared/`` when it
is there (``KZ_SHARED_DIR`` or ``../shared``), else against the manifest
committed with it (``tests/support/fixture_manifest.py``)."""
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
VENDORED = REPO / "tests" / "fixtures" / "freeswitch"
SHARED_BESIDE = REPO.parent / "shared" / "fixtures" / "freeswitch"
FS_FIXTURES = (pathlib.Path(os.environ["KZ_SHARED_DIR"]) / "fixtures" / "freeswitch"
               if os.environ.get("KZ_SHARED_DIR") else VENDORED)


def fs_fixture(name):
    """Bytes of one recorded FreeSWITCH file, e.g. ``fs_fixture('round2/x.esl')``."""
    return (FS_FIXTURES / name).read_bytes()


@pytest.fixture(scope="session")
def fs_fixtures_dir():
    if not FS_FIXTURES.is_dir():
        pytest.fail(f"FreeSWITCH fixtures not found at {FS_FIXTURES} (set KZ_SHARED_DIR)")
    return FS_FIXTURES


@pytest.fixture
def artifacts_dir():
    path = REPO / "tests" / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path

"""Where the shared fixtures (recorded FreeSWITCH traffic, seeds) live."""
import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("KZ_SHARED_DIR", REPO.parent / "shared"))
FS_FIXTURES = SHARED / "fixtures" / "freeswitch"


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

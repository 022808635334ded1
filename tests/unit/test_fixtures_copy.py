"""The vendored recordings are the team's shared ones, byte for byte."""
import pytest

from tests.support.paths import SHARED_BESIDE, VENDORED


def files(root):
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_vendored_fixtures_are_a_byte_exact_copy_of_shared():
    if not SHARED_BESIDE.is_dir():
        pytest.skip(f"no shared/ beside the checkout ({SHARED_BESIDE}) to compare with")
    shared, vendored = files(SHARED_BESIDE), files(VENDORED)
    assert sorted(vendored) == sorted(shared)
    changed = [name for name in shared if shared[name] != vendored[name]]
    assert not changed, f"vendored fixtures differ from shared/: {changed[:10]}"


def test_vendored_fixtures_hold_the_recorded_scenario():
    names = files(VENDORED)
    assert len(names) > 400
    assert "README.txt" in names and "room1_scenario.plain.esl" in names
    assert names["auth_banner.esl"] == b"Content-Type: auth/request\n\n"

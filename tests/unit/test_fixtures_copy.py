"""The vendored recordings are the team's shared ones, byte for byte.

``shared/`` (``KZ_SHARED_DIR``, else ``../shared`` beside the checkout) is the
reference when it is there; a clone without it (CI) checks the copy against the
manifest committed with it (tests/support/fixture_manifest.py), so these tests
always run."""
import os
import pathlib

from tests.support.fixture_manifest import MANIFEST, digests, read_manifest
from tests.support.paths import SHARED_BESIDE, VENDORED

REGENERATE = ".venv/bin/python -m tests.support.fixture_manifest"


def shared_fixtures():
    """The team's shared recordings, or None when no shared/ is reachable."""
    if os.environ.get("KZ_SHARED_DIR"):
        candidate = pathlib.Path(os.environ["KZ_SHARED_DIR"]) / "fixtures" / "freeswitch"
    else:
        candidate = SHARED_BESIDE
    return candidate if candidate.is_dir() else None


def differences(reference, actual):
    missing = sorted(set(reference) - set(actual))
    extra = sorted(set(actual) - set(reference))
    changed = sorted(name for name in set(reference) & set(actual)
                     if reference[name] != actual[name])
    return {kind: names[:10] for kind, names in
            (("missing", missing), ("extra", extra), ("changed", changed)) if names}


def test_vendored_fixtures_are_a_byte_exact_copy_of_shared():
    shared = shared_fixtures()
    reference = digests(shared) if shared else read_manifest()
    source = shared or f"{MANIFEST} (no shared/ here)"
    assert differences(reference, digests(VENDORED)) == {}, \
        f"tests/fixtures/freeswitch differs from {source}: re-vendor it"


def test_the_manifest_lists_the_vendored_files():
    assert differences(read_manifest(), digests(VENDORED)) == {}, \
        f"{MANIFEST} is stale: after re-vendoring, run {REGENERATE}"


def test_vendored_fixtures_hold_the_recorded_scenario():
    names = {path.relative_to(VENDORED).as_posix(): path.read_bytes()
             for path in sorted(VENDORED.rglob("*")) if path.is_file()}
    assert len(names) > 400
    assert "README.txt" in names and "room1_scenario.plain.esl" in names
    assert names["auth_banner.esl"] == b"Content-Type: auth/request\n\n"

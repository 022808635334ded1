"""The vendored recordings' manifest: ``tests/fixtures/freeswitch.sha256``.

One ``sha256sum`` line per file of ``tests/fixtures/freeswitch`` (so
``cd tests/fixtures/freeswitch && sha256sum -c ../freeswitch.sha256`` checks it
too). It is committed with the vendored copy: where the team's ``shared/`` is
not beside the checkout (a CI clone), the copy is checked against it instead of
being skipped. After re-vendoring from ``shared/``, rewrite it with
``.venv/bin/python -m tests.support.fixture_manifest``.
"""
import hashlib
import sys

from tests.support.paths import VENDORED

MANIFEST = VENDORED.parent / "freeswitch.sha256"


def digests(root):
    """``{relative posix path: sha256 hex}`` of every file under ``root``."""
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def read_manifest(path=MANIFEST):
    listed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    return listed


def write_manifest(root=VENDORED, path=MANIFEST):
    lines = [f"{digest}  {name}\n" for name, digest in digests(root).items()]
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    count = write_manifest()
    print(f"wrote {MANIFEST} ({count} files)", file=sys.stderr)

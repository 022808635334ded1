"""Name recordings (``play_name``): where they go and how they are removed.

A file name is a uuid this service generates, inside the names directory
(``<KZ_RECORDINGS_DIR>/callin-names``), resolved and checked: nothing the
outbound socket says (``Unique-ID`` included) ever becomes part of a path, and
removal only touches a regular file directly inside that directory. A client
posing as FreeSWITCH could otherwise have the service record over, then delete,
any ``.wav`` the service can write (security issue 17).
"""
import os
import stat
import uuid

SUFFIX = ".wav"


class UnsafePath(ValueError):
    """A path that is not a name recording of ours."""


def _directory(names_dir):
    return os.path.realpath(names_dir)


def inside(names_dir, path):
    """``path`` resolved, if it is directly inside ``names_dir``; else UnsafePath."""
    directory = _directory(names_dir)
    resolved = os.path.realpath(path)
    if os.path.dirname(resolved) != directory or not resolved.endswith(SUFFIX):
        raise UnsafePath(f"{path!r} is not a name recording in {directory!r}")
    return resolved


def new_recording(names_dir, make_id=uuid.uuid4):
    """An absolute path for a new name recording (the directory is created)."""
    directory = _directory(names_dir)
    os.makedirs(directory, exist_ok=True)
    return inside(directory, os.path.join(directory, f"{make_id()}{SUFFIX}"))


def remove(names_dir, path):
    """Delete the recording at ``path`` if it is one of ours; a missing file is fine."""
    resolved = inside(names_dir, path)
    try:
        mode = os.lstat(resolved).st_mode
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode):
        raise UnsafePath(f"{resolved!r} is not a regular file")
    os.remove(resolved)
    return True

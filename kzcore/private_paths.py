"""Files and directories only their owner may read: 0600 files, 0700 directories.

The store file, its WAL, the token secret and the recordings hold other
tenants' data or keys. The modes are set explicitly (not left to the umask),
on what this process creates; directories that already existed (a working
directory, /tmp) are left as they are, files we own are tightened.
"""
import os

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dirs(path):
    """``os.makedirs(path)``; every directory it creates is made 0700."""
    path = os.path.abspath(path)
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)   # the umask can only remove bits
        except FileExistsError:
            pass   # made meanwhile by another process


def private_file(path):
    """Create ``path`` empty with mode 0600 if missing; an existing file of ours
    is made 0600 (one made by an older version or another umask)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        tighten(path)


def tighten(path):
    """Make an existing file of ours 0600 (nothing if it is gone or not ours)."""
    try:
        if os.stat(path).st_uid == os.geteuid():
            os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass

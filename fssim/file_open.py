"""switch_core_file_open: which module opens a sound path, and whether it can.

The recorded switch (round4 README) loads tone_stream, local_stream, sndfile,
native_file and http_cache, not httapi. Opening for play is checked where the real
switch checks it (`conference play`, member files, hold music):

- ``tone_stream://`` / ``silence_stream://``: always (a tone's length is its pattern);
- ``local_stream://<name>``: a configured stream ("moh" as recorded) plays until
  stopped; another name fails (not shown by any fixture: mod_local_stream's
  "Unknown source");
- ``http_cache://<url>``: the URL is fetched (fssim/http_cache.py); unreachable fails
  (recorded);
- ``http://`` / ``https://``: only with mod_httapi (``Simulator(httapi=True)``, off like
  the recorded switch and fs_conf); without it, fails (recorded play_http_bare). With
  it the URL is fetched like http_cache (not shown by any fixture);
- an absolute path: the file must exist, with an extension mod_sndfile reads
  (a missing file fails, recorded play_missing_file; the extension rule is not shown);
- any other ``scheme://``: no module, fails (not shown by any fixture).

Opening for recording (``recording start``, ``uuid_record``): by the extension, a
format some loaded module writes: mod_sndfile's, and ``mp3`` only with mod_shout
(``FileModules(shout=True)``; fs_conf loads it, the recorded switch did not). Not
shown by any fixture: mod_shout registers the ``mp3`` extension for writing (lame).
"""
import dataclasses
import os

from fssim.http_cache import HttpFetcher
from fssim.media import file_seconds

# libsndfile formats mod_sndfile registers (mp3 needs mod_shout: not loaded by default).
SNDFILE_EXTENSIONS = {"wav", "aif", "aiff", "au", "snd", "flac", "ogg", "raw", "r8", "r16",
                      "r24", "r32", "gsm", "ul", "al", "w64", "caf", "rf64", "voc"}


@dataclasses.dataclass(frozen=True)
class OpenedFile:
    path: str        # as asked for (the File header of play-file* events)
    seconds: float   # play length; None: plays until stopped
    file_path: str   # what `play_status` prints: the path after the module prefix


class FileModules:
    """The file-format modules of one simulated switch."""

    def __init__(self, httapi=False, http_timeout=2.0, local_streams=("moh",), shout=False):
        self.httapi = httapi
        self.shout = shout
        self.local_streams = set(local_streams)
        self.http = HttpFetcher(http_timeout)

    def open(self, path):
        """OpenedFile, or None where FreeSWITCH's open fails ("not found")."""
        if not path:
            return None
        scheme, sep, rest = path.partition("://")
        if not sep:
            return self._open_local(path)
        if scheme in ("tone_stream", "silence_stream"):
            return OpenedFile(path, file_seconds(path), rest)
        if scheme == "local_stream":
            return OpenedFile(path, None, rest) if rest in self.local_streams else None
        if scheme == "http_cache":
            return self._fetched(path, rest, rest)
        if scheme in ("http", "https") and self.httapi:
            return self._fetched(path, path, rest)
        return None

    def can_record(self, path):
        """Whether a loaded module writes this file's format (by its extension)."""
        if "://" in (path or ""):
            return False
        extension = path.rsplit(".", 1)[-1].lower() if "." in os.path.basename(path) else ""
        return extension in SNDFILE_EXTENSIONS or (extension == "mp3" and self.shout)

    def _fetched(self, path, url, file_path):
        seconds = self.http.seconds(url)
        return None if seconds is None else OpenedFile(path, seconds, file_path)

    def _open_local(self, path):
        shout = self.shout
        extension = path.rsplit(".", 1)[-1].lower() if "." in os.path.basename(path) else ""
        if not os.path.isabs(path) or not os.path.isfile(path) \
                or extension not in SNDFILE_EXTENSIONS and not (extension == "mp3" and shout):
            return None
        return OpenedFile(path, file_seconds(path), path)


def is_file_path(path):
    """switch_is_file_path: absolute, or a `module://` URL; anything else is a sound
    name the conference prefixes with its sound-prefix or speaks (TTS)."""
    return bool(path) and (path.startswith("/") or "://" in path)

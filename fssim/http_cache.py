"""mod_http_cache (`http_cache://http://host/path.wav`) and, when the simulated switch
is configured with it, mod_httapi (a bare `http://...` file).

As recorded (round4 play_http_cache, play_http_cache_unreachable): the switch fetches
the URL when the file is opened, so `conference play` waits for the fetch, and a URL it
cannot fetch is the same "File: ... not found." as a missing local file. A fetched file
is cached by URL (FreeSWITCH keeps it on disk); the simulator keeps only what it needs
to play it: its length.
"""
import io
import logging
import urllib.error
import urllib.request
import wave

from fssim.media import DEFAULT_SECONDS

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 2.0
MAX_BYTES = 50 * 1024 * 1024


def wav_seconds(data):
    """Length of a WAV held in memory; DEFAULT_SECONDS for anything else that was served."""
    try:
        with wave.open(io.BytesIO(data), "rb") as handle:
            return handle.getnframes() / float(handle.getframerate())
    except (wave.Error, EOFError):
        return DEFAULT_SECONDS


class HttpFetcher:
    """GET with a short timeout; successful fetches are remembered by URL."""

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._cache = {}

    def seconds(self, url):
        """Play length of the file at `url`, or None when it cannot be fetched."""
        if url in self._cache:
            return self._cache[url]
        data = self._get(url)
        if data is None:
            return None
        self._cache[url] = wav_seconds(data)
        return self._cache[url]

    def _get(self, url):
        if not url.startswith(("http://", "https://")):
            return None
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as reply:
                if reply.status != 200:
                    return None
                return reply.read(MAX_BYTES)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.info("http fetch failed", extra={"url": url, "error": str(exc)})
            return None

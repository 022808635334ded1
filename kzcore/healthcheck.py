"""``python -m kzcore.healthcheck <port setting> [path]``: a container health check.

Asks this container's own service ``http://127.0.0.1:<port><path>`` (default
``/ready``) and exits 0 on a 200; otherwise it exits non-zero saying why (the
503 body names the failed checks). The port is a setting of ``kzcore.config``
(e.g. ``listen_port``, ``blackhole_port``, ``ecallmgr_health_port``), read from
the same ``KZ_*`` environment the service reads, so the check cannot drift
from the service. docker-compose.yml uses it for every Python service.
"""
import sys
import urllib.error
import urllib.request

from kzcore.config import SETTINGS, load_config

TIMEOUT = 3.0


def probe_url(setting, path="/ready", env=None):
    if setting not in SETTINGS or not setting.endswith("_port"):
        raise SystemExit(f"kz-healthcheck: {setting!r} is not a port setting of kzcore.config")
    port = getattr(load_config(env=env), setting)
    if port <= 0:
        raise SystemExit(f"kz-healthcheck: {SETTINGS[setting][0]} is {port}: the service "
                         "serves no health endpoint on a fixed port")
    return f"http://127.0.0.1:{port}{path}"


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        raise SystemExit("usage: python -m kzcore.healthcheck <port setting> [path]")
    url = probe_url(*args)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT):
            return 0
    except urllib.error.HTTPError as error:
        raise SystemExit(f"not ready: {error.code} {error.read().decode(errors='replace')}")
    except OSError as error:
        raise SystemExit(f"no answer from {url}: {error}")


if __name__ == "__main__":
    raise SystemExit(main())

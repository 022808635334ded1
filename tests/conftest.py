"""Test-wide set-up. gevent must patch before anything imports sockets."""
from gevent import monkey

monkey.patch_all()

# Each area keeps its fixtures in its own plugin module (tests/support/*.py).
pytest_plugins = [
    "tests.support.paths",
    "tests.support.couch",
    "tests.support.rabbit",
    "tests.support.bus",
    "tests.support.sim",
    "tests.support.api",
]

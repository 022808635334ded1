"""crossbar.ui without a browser: routes, the page's config, static files."""
import pathlib
import re

import pytest

from crossbar.ui import STATIC_DIR, create_ui_blueprint, ui_config
from kzcore.config import load_config
from tests.support.api import build_app


@pytest.fixture
def client():
    config = load_config(env={}, blackhole_host="127.0.0.1", blackhole_port=5599)
    harness = build_app(extra_blueprints=[create_ui_blueprint(config)])
    yield harness.client
    harness.store.close()


def test_root_redirects_to_the_ui(client):
    reply = client.get("/")
    assert reply.status_code == 302 and reply.headers["Location"] == "/ui/"


def test_index_is_the_page_with_a_restrictive_policy(client):
    reply = client.get("/ui/")
    assert reply.status_code == 200 and reply.mimetype == "text/html"
    assert b'<script type="module" src="/ui/js/app.js">' in reply.data
    policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_config_names_the_gateway_and_the_api(client):
    assert client.get("/ui/config.json").get_json() == {
        "api_base": "/v2", "websocket_url": None, "websocket_host": "127.0.0.1",
        "websocket_port": 5599}


def test_a_wildcard_gateway_host_leaves_the_host_to_the_page():
    config = load_config(env={}, blackhole_host="0.0.0.0", blackhole_port=5555)
    assert ui_config(config)["websocket_host"] is None
    public = ui_config(config, websocket_url="wss://conf.example.com/ws")
    assert public["websocket_url"] == "wss://conf.example.com/ws"


@pytest.mark.parametrize("name", sorted(
    str(path.relative_to(STATIC_DIR)) for path in pathlib.Path(STATIC_DIR).rglob("*.js")))
def test_every_module_is_served_as_javascript(client, name):
    reply = client.get(f"/ui/{name}")
    assert reply.status_code == 200 and reply.mimetype in ("text/javascript", "application/javascript")


def test_nothing_outside_the_static_folder_is_served(client):
    assert client.get("/ui/../ui.py").status_code == 404
    assert client.get("/ui/%2e%2e/ui.py").status_code == 404
    assert client.get("/ui/missing.js").status_code == 404


REMOTE = re.compile(r"""(src|href)=["']?(https?:)?//|from\s+["'](https?:)?//|import\(\s*["'](https?:)?//"""
                    r"""|url\(\s*["']?(https?:)?//|@import""")


def test_the_page_loads_nothing_from_elsewhere():
    """No CDN: every script, style and font comes from crossbar itself."""
    files = [path for path in pathlib.Path(STATIC_DIR).rglob("*") if path.is_file()]
    assert len(files) >= 5
    for path in files:
        assert not REMOTE.search(path.read_text(encoding="utf-8")), path

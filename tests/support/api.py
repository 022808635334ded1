"""Fixtures for the crossbar API: an app on a fresh store with the schemas loaded
and a bootstrapped super-admin, plus helpers to authenticate and to create more
accounts.

The store is the embedded one, unless the test's module (class, function) is
marked ``both_stores``: then every test that builds an app through ``api``,
``app_factory`` or the live suites' ``rig`` runs twice, on the embedded store and
on the CouchDB-API server (``api_store_kind`` is ``"embedded"`` / ``"couchdb"``)."""
import dataclasses

import pytest

from crossbar.app import create_app
from crossbar.bootstrap import bootstrap
from kzcore.config import load_config
from kzcore.schemas.loader import load_schemas
from kzcore.schemas.registry import SchemaRegistry
from kzcore.store.embedded import EmbeddedStore
from kzcore.tokens import TokenSigner
from tests.support.couch import STORE_KINDS

ADMIN = {"account_name": "Super Admin", "realm": "admin.test.local",
         "username": "admin", "password": "s3cret-admin"}


@dataclasses.dataclass
class Account:
    account_id: str
    api_key: str
    token: str
    name: str


class ApiHarness:
    """A Flask test client plus Kazoo-style helpers (bodies wrapped in ``data``)."""

    def __init__(self, app, store, admin):
        self.app, self.store, self.admin = app, store, admin
        self.client = app.test_client()
        self.root = Account(admin["account_id"], admin["api_key"],
                            self.api_auth(admin["api_key"]), admin["account_name"])

    def call(self, method, path, data=None, token=None, body=None, headers=None, **kwargs):
        """``data`` is wrapped as ``{"data": data}``; ``body`` is sent as given."""
        hdrs = dict(headers or {})
        if token:
            hdrs["X-Auth-Token"] = token
        if data is not None:
            kwargs["json"] = {"data": data}
        elif body is not None:
            kwargs["json"] = body
        return self.client.open(path, method=method, headers=hdrs, **kwargs)

    def api_auth(self, api_key):
        reply = self.call("PUT", "/v2/api_auth", {"api_key": api_key})
        assert reply.status_code == 201, reply.get_json()
        return reply.get_json()["auth_token"]

    def user_auth(self, username, password, account_name, method="md5"):
        """Kazoo user_auth with md5 (or ``method="sha"``) of ``username:password``."""
        import hashlib
        digest = hashlib.sha1 if method == "sha" else hashlib.md5
        credentials = digest(f"{username}:{password}".encode()).hexdigest()
        reply = self.call("PUT", "/v2/user_auth", {"credentials": credentials,
                                                   "account_name": account_name,
                                                   "method": method})
        assert reply.status_code == 201, reply.get_json()
        return reply.get_json()["auth_token"]

    def create_account(self, parent, name):
        """A child account of ``parent`` (an Account), authenticated by its API key."""
        reply = self.call("PUT", f"/v2/accounts/{parent.account_id}", {"name": name},
                          token=parent.token)
        assert reply.status_code == 201, reply.get_json()
        account_id = reply.get_json()["data"]["id"]
        key = self.call("GET", f"/v2/accounts/{account_id}/api_key",
                        token=parent.token).get_json()["data"]["api_key"]
        return Account(account_id, key, self.api_auth(key), name)

    def create_sibling_pair(self):
        """Two child accounts of the root: (A, B) that must not see each other."""
        return self.create_account(self.root, "Alpha Co"), self.create_account(self.root, "Beta Co")


def build_app(store=None, live=None, token_lifetime=3600, extra_blueprints=(),
              **config_overrides):
    store = store or EmbeddedStore(":memory:", account_dbs_on_write=False)  # as the product
    load_schemas(store)
    schemas = SchemaRegistry(store)
    config = load_config(env={}, **config_overrides)
    signer = TokenSigner("test-secret-for-crossbar", token_lifetime)
    app = create_app(config, store=store, schemas=schemas, signer=signer, live=live,
                     extra_blueprints=extra_blueprints)
    admin = bootstrap(store, **ADMIN)
    return ApiHarness(app, store, admin)


BOTH_STORES_MARK = "both_stores"


def pytest_generate_tests(metafunc):
    """Tests marked ``both_stores`` run once per store kind."""
    if "api_store_kind" in metafunc.fixturenames \
            and metafunc.definition.get_closest_marker(BOTH_STORES_MARK):
        metafunc.parametrize("api_store_kind", STORE_KINDS, indirect=True)


@pytest.fixture
def api_store_kind(request):
    """The kind of store the API app runs on: ``embedded`` unless parametrized."""
    return getattr(request, "param", "embedded")


@pytest.fixture
def app_factory(new_store, api_store_kind):
    """``app_factory(store=None, live=None, extra_blueprints=(), **config) -> ApiHarness``;
    without ``store``, each app gets a fresh store of ``api_store_kind``, opened as
    the product opens it (no account database created by a mere write)."""
    def make(store=None, live=None, **overrides):
        if store is None:   # stores passed in belong to their own fixture
            store = new_store(api_store_kind, account_dbs_on_write=False)
        return build_app(store=store, live=live, **overrides)

    return make


@pytest.fixture
def api(app_factory):
    return app_factory()

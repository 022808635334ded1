"""Build the configured document store (the composition roots call this)."""


def make_store(config):
    """``config.store``: ``"embedded"`` (sqlite file at ``config.store_path``) or
    ``"couchdb"`` (server at ``config.couch_url``). Neither creates an account
    database on a write (only an account's creation does: kzcore.store.docs)."""
    kind = (config.store or "").strip().lower()
    if kind == "embedded":
        from kzcore.store.embedded import EmbeddedStore
        return EmbeddedStore(config.store_path, account_dbs_on_write=False)
    if kind == "couchdb":
        from kzcore.store.couch import CouchStore
        return CouchStore(config.couch_url, config.couch_user, config.couch_password,
                          account_dbs_on_write=False)
    raise ValueError(f"unknown document store {config.store!r} (KZ_STORE): "
                     "expected 'embedded' or 'couchdb'")

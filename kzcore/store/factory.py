"""Build the configured document store (the composition roots call this)."""


def make_store(config):
    """``config.store``: ``"embedded"`` (sqlite file at ``config.store_path``) or
    ``"couchdb"`` (server at ``config.couch_url``)."""
    kind = (config.store or "").strip().lower()
    if kind == "embedded":
        from kzcore.store.embedded import EmbeddedStore
        return EmbeddedStore(config.store_path)
    if kind == "couchdb":
        from kzcore.store.couch import CouchStore
        return CouchStore(config.couch_url, config.couch_user, config.couch_password)
    raise ValueError(f"unknown document store {config.store!r} (KZ_STORE): "
                     "expected 'embedded' or 'couchdb'")

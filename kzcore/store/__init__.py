"""Document store: one interface (``base.Store``), two backends (embedded, CouchDB)."""

"""crossbar: the Kazoo-compatible REST API (build it with crossbar.app.create_app)."""

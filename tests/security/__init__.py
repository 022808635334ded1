"""Security tests: one per finding of the security issue, each against the real servers over their sockets."""

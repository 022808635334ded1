"""Websocket gateway: Kazoo blackhole protocol over one bus consumer."""

"""Shared core of the conference controller: imports nothing of the apps."""

APP_VERSION = "0.1.0"

"""The one-command run: every service in one process on embedded defaults."""

"""WSGI entry point with live conference control:
``gunicorn -k gevent crossbar.live.wsgi:application``.

Like ``crossbar.wsgi`` (configuration from the environment / ``KZ_CONFIG``),
plus an ESL pool on every configured FreeSWITCH node, ``LiveConferences`` and
the live routes (media links, recording downloads). Built in each worker after
the fork, so every worker holds its own ESL connections.
"""
from crossbar.live.compose import live_app
from kzcore.config import load_config
from kzcore.logs import setup_logging

_config = load_config()
setup_logging(_config.log_level, _config.log_format)
application = live_app(_config)

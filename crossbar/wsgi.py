"""WSGI entry point: ``gunicorn -k gevent crossbar.wsgi:application``.

Configuration comes from the environment / ``KZ_CONFIG`` (kzcore.config).
"""
from crossbar.cli import make_app
from kzcore.config import load_config
from kzcore.logs import setup_logging

_config = load_config()
setup_logging(_config.log_level, _config.log_format)
application = make_app(_config)

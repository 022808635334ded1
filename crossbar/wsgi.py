"""WSGI entry point: ``gunicorn -c python:crossbar.gunicorn_conf crossbar.wsgi:application``
(crossbar/gunicorn_conf.py: gevent workers, header timeout, connection cap).

Configuration comes from the environment / ``KZ_CONFIG`` (kzcore.config).
"""
from crossbar.cli import make_app
from kzcore.config import load_config
from kzcore.logs import setup_logging

_config = load_config()
setup_logging(_config.log_level, _config.log_format)
application = make_app(_config)

"""gunicorn settings for crossbar, from the KZ_* settings (kzcore.config):

    gunicorn -c python:crossbar.gunicorn_conf crossbar.wsgi:application

With gevent workers, gunicorn reads each request line and its headers under a
``keepalive`` deadline (the same one closes idle keep-alive connections), so
``keepalive`` is KZ_HTTP_HEADER_TIMEOUT; a worker serves ``worker_connections``
connections at once and leaves the rest in the listen queue, so that is
KZ_HTTP_MAX_CONNECTIONS (per worker). gunicorn has no cap per client address:
put a reverse proxy in front for that. Body limits are crossbar's own
(crossbar.body_limits); gunicorn hands chunked bodies over decoded and marks
them ``wsgi.input_terminated``, which crossbar counts.
"""
import math

from kzcore.config import load_config
from kzcore.logs import gunicorn_logconfig

_config = load_config()
logconfig_dict = gunicorn_logconfig(_config.log_level, _config.log_format)  # its lines as ours

bind = f"{_config.listen_host}:{_config.listen_port}"
worker_class = "gevent"
workers = 4
keepalive = max(1, math.ceil(_config.http_header_timeout))   # gunicorn wants whole seconds
worker_connections = _config.http_max_connections
limit_request_line = 8190          # bytes of the request line
limit_request_fields = 100         # header fields
limit_request_field_size = 8190    # bytes of one header field
timeout = 30                       # a worker silent this long is restarted
graceful_timeout = 30

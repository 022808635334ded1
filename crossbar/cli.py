"""``kz-crossbar``: serve the API with gevent's WSGI server.

Composition root: builds the store, loads missing schemas, the schema registry
and the token signer from the configuration, then ``create_app``.
"""
import argparse
import logging
import os
import secrets
import sys

from kzcore.private_paths import private_dirs

log = logging.getLogger(__name__)
SECRET_FILE = "token_secret"
SCHEMA_REFRESH_SECONDS = 1.0


def secret_path(config):
    """Where a generated token secret is kept: beside the embedded store file."""
    directory = os.path.dirname(os.path.abspath(config.store_path)) \
        if config.store_path != ":memory:" else os.path.abspath("var")
    return os.path.join(directory, SECRET_FILE)


def token_secret(config):
    """``config.token_secret``, else one generated once and kept on disk (several
    workers may race here: the first creates the file, the others read it)."""
    if config.token_secret:
        return config.token_secret
    path = secret_path(config)
    private_dirs(os.path.dirname(path))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as handle:
            secret = handle.read().strip()
        if secret:
            return secret
        raise RuntimeError(f"token secret file {path} is empty; delete it") from None
    secret = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    log.info("generated token secret", extra={"path": path})
    return secret


def build_core(config):
    """``(store, schemas, signer)`` from the configuration; loads missing schemas."""
    from kzcore.schemas.loader import load_schemas
    from kzcore.schemas.registry import SchemaRegistry
    from kzcore.store.factory import make_store
    from kzcore.tokens import TokenSigner

    store = make_store(config)
    load_schemas(store)
    schemas = SchemaRegistry(store, refresh_interval=SCHEMA_REFRESH_SECONDS)
    return store, schemas, TokenSigner(token_secret(config), config.token_lifetime)


def compose_parts(config, store, signer):
    """``(live, blueprints)``: live control when FreeSWITCH nodes are configured
    (``KZ_ESL_NODES`` empty serves documents only), mod_xml_curl and the admin UI."""
    from crossbar.live import create_live
    from crossbar.ui import create_ui_blueprint
    from crossbar.xmlcurl import create_blueprint as create_xmlcurl_blueprint

    live, blueprints = None, []
    if config.nodes:
        private_dirs(config.recordings_dir)  # recordings: 0700 (see docs/DEPLOY.md)
        live = create_live(config, store=store, signer=signer)
        blueprints += live.blueprints()
    blueprints.append(create_xmlcurl_blueprint(store, config))
    blueprints.append(create_ui_blueprint(config))
    return live, blueprints


def document_events_publisher(config):
    """The bus publisher for document events: RabbitMQ's when configured; with
    ``memory://`` a crossbar on its own has nobody in-process to tell (kz-all
    passes its shared bus to create_app instead)."""
    if not config.amqp_url.startswith(("amqp://", "amqps://")):
        return None
    from kzcore.bus.factory import make_publisher
    return make_publisher(config, connection_name="kz-crossbar")


def make_app(config, live=None, extra_blueprints=(), with_parts=True):
    """The configured Flask app, with /health, /ready and /metrics
    (crossbar.observability). ``with_parts`` adds live control, xml_curl and
    the UI (see compose_parts) unless ``live``/``extra_blueprints`` are given."""
    from crossbar.app import create_app
    from crossbar.observability import observe

    store, schemas, signer = build_core(config)
    if with_parts and live is None and not extra_blueprints:
        live, extra_blueprints = compose_parts(config, store, signer)
    app = create_app(config, store=store, schemas=schemas, signer=signer, live=live,
                     extra_blueprints=extra_blueprints,
                     events=document_events_publisher(config))
    observe(app, spool_dir=config.metrics_dir or None)
    return app


def close_app(app):
    from crossbar.context import EXTENSION
    services = app.extensions[EXTENSION]
    if services.live is not None and hasattr(services.live, "close"):
        services.live.close()
    if services.events is not None:
        services.events.close()
    services.store.close()


def http_server(listener, app, config):
    """crossbar's gevent WSGI server: header-read deadline (408), connection cap
    (the rest queue) and cap per address (503): KZ_HTTP_HEADER_TIMEOUT,
    KZ_HTTP_MAX_CONNECTIONS, KZ_HTTP_MAX_CONNECTIONS_PER_ADDRESS. ``app`` may be
    None and set later (``server.application``)."""
    from kzcore.limited_wsgi import LimitedWSGIServer
    from kzcore.netlimits import ServerLimits

    limits = ServerLimits(header_timeout=config.http_header_timeout,
                          max_connections=config.http_max_connections,
                          max_connections_per_address=config.http_max_connections_per_address)
    return LimitedWSGIServer(listener, app, limits, log=None,
                             error_log=logging.getLogger("crossbar.http"))


def serve(app, config):
    import gevent
    import signal

    server = http_server((config.listen_host, config.listen_port), app, config)
    gevent.signal_handler(signal.SIGTERM, server.stop)
    server.serve_forever()


def main(argv=None):
    from gevent import monkey
    monkey.patch_all()
    from kzcore.config import load_config
    from kzcore.logs import setup_logging

    parser = argparse.ArgumentParser(prog="kz-crossbar", description="Kazoo-style REST API")
    parser.add_argument("--config", help="TOML configuration file (or KZ_CONFIG)")
    parser.add_argument("--host", help="listen address (KZ_LISTEN_HOST)")
    parser.add_argument("--port", type=int, help="listen port (KZ_LISTEN_PORT)")
    args = parser.parse_args(argv)
    config = load_config(args.config, listen_host=args.host, listen_port=args.port)
    setup_logging(config.log_level, config.log_format)
    app = make_app(config)
    log.info("crossbar listening (create the first account with: kz-bootstrap)",
             extra={"url": f"http://{config.listen_host}:{config.listen_port}/v2"})
    try:
        serve(app, config)
    finally:
        close_app(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())

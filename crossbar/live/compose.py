"""Composition of the live part: the command pool, ``LiveConferences`` and the
app with the live routes (used by ``crossbar.live.wsgi`` and the benchmark)."""
from kzcore.esl.pool import EslPool

# Commands only: conference events go to ecallmgr (and to the dial watcher's own
# connections); subscribing here would ship every member event to every worker.
COMMAND_EVENTS = ("BACKGROUND_JOB",)


def command_pool(config):
    """One ESL connection per node for commands; it connects and reconnects by itself.
    Startup waits (at most ``esl_timeout``) for the nodes, so that the first requests
    do not meet a pool still connecting; a node that is down does not block longer."""
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS).start()
    pool.wait_connected(config.esl_timeout)
    return pool


def live_app(config):
    """The crossbar app of ``crossbar.cli.make_app`` with live control wired in, on
    the app's own store (one store, even an in-memory one)."""
    from crossbar.cli import make_app, token_secret
    from crossbar.context import EXTENSION
    from crossbar.live import LiveConferences, create_blueprint
    app = make_app(config, extra_blueprints=[create_blueprint()])
    services = app.extensions[EXTENSION]
    services.live = LiveConferences(command_pool(config), services.store, config,
                                    services.signer, media_secret=token_secret(config))
    return app

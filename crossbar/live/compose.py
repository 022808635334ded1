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
    """The crossbar app of ``crossbar.cli.make_app`` with live control wired in."""
    from crossbar.cli import make_app, token_secret
    from crossbar.live import LiveConferences, create_blueprint
    from kzcore.store.factory import make_store
    live = LiveConferences(command_pool(config), make_store(config), config,
                           media_secret=token_secret(config))
    return make_app(config, live=live, extra_blueprints=[create_blueprint()])

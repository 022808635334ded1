"""Composition of the live part: the command pool and ``LiveConferences``
(``crossbar.cli.compose_parts`` wires it into every entry point)."""
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


def create_live(config, *, store, signer):
    """``LiveConferences`` on the app's own store and a commands-only pool; the
    composition roots (``crossbar.cli.compose_parts``) call this."""
    from crossbar.live.service import LiveConferences
    return LiveConferences(command_pool(config), store, config, signer)

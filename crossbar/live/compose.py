"""Composition of the live part: the command pool and ``LiveConferences``
(``crossbar.cli.compose_parts`` wires it into every entry point)."""
from kzcore.esl.pool import EslPool

# Commands only: conference events go to ecallmgr (and to the dial watcher's own
# connections); subscribing here would ship every member event to every worker.
COMMAND_EVENTS = ("BACKGROUND_JOB",)


def command_pool(config, on_disconnect=None):
    """One ESL connection per node for commands; it connects and reconnects by itself.
    Startup waits (at most ``esl_timeout``) for the nodes, so that the first requests
    do not meet a pool still connecting; a node that is down does not block longer.
    ``on_disconnect(client)`` runs after each lost connection."""
    pool = EslPool(config.nodes, timeout=config.esl_timeout, events=COMMAND_EVENTS,
                   on_disconnect=on_disconnect).start()
    pool.wait_connected(config.esl_timeout)
    return pool


def create_live(config, *, store, signer):
    """``LiveConferences`` on the app's own store and a commands-only pool; the
    composition roots (``crossbar.cli.compose_parts``) call this. A node whose
    command connection drops loses its remembered rooms (it may have restarted). Each node
    (re)connecting has its carrier gateways brought in line. Started:
    dynamic conferences whose room ends are removed from now on."""
    from crossbar.live.service import LiveConferences
    from crossbar.resources.sync import GatewaySync, ResyncOnReconnect
    from kzcore.e164 import valid_country_code
    valid_country_code(config.default_country_code)   # a wrong KZ_DEFAULT_COUNTRY_CODE stops here
    holder = []    # a node whose command connection drops loses its remembered rooms
    pool = command_pool(config, on_disconnect=lambda client: [
        live.rooms.forget_node(client.name) for live in holder])
    live = LiveConferences(pool, store, config, signer)
    holder.append(live)
    # carriers: a node that (re)connects gets its gateways brought in line
    sync = GatewaySync(pool, store, config.sofia_external_profile, config.esl_timeout)
    live.resync = ResyncOnReconnect(sync, live.watcher).start()
    return live.start()

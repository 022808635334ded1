"""Every service of the product in one process, wired from the real factories.

This is a composition root like each service's CLI: the embedded one-command
run and the browser tests both build it. Nothing here is demo-only except the
simulator, which stands in for FreeSWITCH (never in production).
"""
import logging

from kzcore.bus.factory import make_consumer, make_publisher
from kzcore.bus.memory import MemoryBus
from kzcore.private_paths import private_dirs

log = logging.getLogger(__name__)


class Stack:
    """Start order follows the data flow: store, switch, event path, API, gateway."""

    def __init__(self, config, *, time_scale=1.0, with_callin=True, with_lifecycle=True):
        self.config = config
        self.time_scale = time_scale
        self.with_callin = with_callin
        self.with_lifecycle = with_lifecycle
        self.memory_bus = MemoryBus() if config.amqp_url.startswith("memory") else None
        self._stoppers = []

    # -- lifecycle -----------------------------------------------------------------
    def start(self):
        self._start_store()
        self._start_switch()
        if self.with_callin:
            self._start_callin()
        self._start_ecallmgr()
        self._start_gateway()  # before crossbar: the UI is told the gateway's port
        self._start_crossbar()
        self._start_webhooks()
        if self.with_lifecycle:
            self._start_lifecycle()
        self._start_transcribe()
        self._observe()
        return self

    def stop(self):
        for stop in reversed(self._stoppers):
            try:
                stop()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                log.exception("stopping a component failed")
        self._stoppers.clear()

    # -- components ----------------------------------------------------------------
    def _start_store(self):
        from crossbar.cli import build_core

        self.store, self.schemas, self.signer = build_core(self.config)
        self._stoppers.append(self.store.close)

    def _start_switch(self):
        from fssim import Simulator

        node = self.config.nodes[0]
        private_dirs(self.config.recordings_dir)
        # No recordings_dir for the simulator: like a FreeSWITCH sharing crossbar's
        # recordings volume, it writes exactly where crossbar asks.
        self.sim = Simulator(host=node.host, port=node.port, password=node.password,
                             hostname=node.name.partition("@")[2] or "sim",
                             time_scale=self.time_scale)
        host, port = self.sim.start()
        if port != node.port:  # port 0 in tests: point the clients at the real one
            self.config = self.config.replace(esl_nodes=f"{node.name}={host}:{port}:{node.password}")
        self._stoppers.append(self.sim.stop)

    def _start_callin(self):
        from callin.cli import build_server
        from callin.guard import SECRET_VARIABLE
        from fssim import outbound

        self.callin = build_server(self.config, self.store).start()
        self.config = self.config.replace(callin_port=self.callin.port)
        extension = outbound.socket_extension("127.0.0.1", self.callin.port)
        secret = self.config.callin_secret

        def callin_extension(channel, match):
            if secret:   # what fs_conf/dialplan/default.xml sets before `socket`
                channel.set_variable(SECRET_VARIABLE, secret)
            return extension(channel, match)
        self.sim.core.dialplan.add(r"^(\d{1,16})$", callin_extension)
        self._stoppers.append(lambda: self.callin.stop(timeout=1))

    def _start_ecallmgr(self):
        from ecallmgr.daemon import create_daemon

        self.publisher = make_publisher(self.config, memory_bus=self.memory_bus)
        self.ecallmgr = create_daemon(self.config, publisher=self.publisher)
        self.ecallmgr.start()
        self._stoppers.append(self.ecallmgr.stop)

    def _start_crossbar(self):
        from crossbar.app import create_app
        from crossbar.cli import compose_parts, http_server

        # Bind first: with port 0 the parts must learn the real port (media URLs).
        # The server drops slow requests and caps connections (kzcore.limited_wsgi).
        self.http = http_server((self.config.listen_host, self.config.listen_port), None,
                                self.config)
        self.http.init_socket()
        self.config = self.config.replace(listen_port=self.http.server_port)
        self.live, blueprints = compose_parts(self.config, self.store, self.signer)
        self.app = create_app(self.config, store=self.store, schemas=self.schemas,
                              signer=self.signer, live=self.live, extra_blueprints=blueprints,
                              events=self.publisher)
        self.http.application = self.app
        self.http.start()
        self._stoppers.append(self.http.stop)
        if self.live is not None and hasattr(self.live, "close"):
            self._stoppers.append(self.live.close)

    def _start_webhooks(self):
        """The webhook delivery service, on the shared bus: durable only with
        RabbitMQ (its queue); on the in-process bus events published while it
        is not running are not kept."""
        from webhooks.compose import Settings, build_service, make_source

        self.webhooks = build_service(
            Settings.from_config(self.config), store=self.store,
            source=make_source(self.config, memory_bus=self.memory_bus),
            publisher=self.publisher, node=self.config.node_name or "kz-all")
        self.webhooks.start()
        self._stoppers.append(self.webhooks.stop)

    def _start_lifecycle(self):
        """The lifecycle service (lifecycle/): on the shared bus, its own ESL commands."""
        from lifecycle.compose import build_service, command_pool, make_source

        pool = self.lifecycle_pool = command_pool(self.config)
        self.lifecycle = build_service(self.config, store=self.store, pool=pool,
                                       source=make_source(self.config,
                                                          memory_bus=self.memory_bus)).start()
        self._stoppers.append(pool.close)
        self._stoppers.append(self.lifecycle.stop)

    def _start_transcribe(self):
        """The transcription worker, on the shared bus (a durable queue on RabbitMQ)."""
        from transcribe.compose import build_service, make_source

        self.transcribe = build_service(
            self.config, store=self.store, publisher=self.publisher,
            source=make_source(self.config, memory_bus=self.memory_bus),
            node=self.config.node_name or "kz-all")
        self.transcribe.start()
        self._stoppers.append(self.transcribe.stop)

    def _start_gateway(self):
        from blackhole.server import create_gateway

        self.consumer = make_consumer(self.config, memory_bus=self.memory_bus)
        self.gateway = create_gateway(self.config, consumer=self.consumer,
                                      signer=self.signer, store=self.store)
        host, port = self.gateway.start()
        self.config = self.config.replace(blackhole_port=port)
        self._stoppers.append(self.gateway.stop)

    def _observe(self):
        """/health, /ready, /metrics on crossbar's port, for every service here:
        each one's readiness checks (one store check: they share the store) and
        series."""
        from callin.observability import health_app as callin_health
        from crossbar.observability import observe
        from ecallmgr.observability import health_app as ecallmgr_health
        from lifecycle.observability import health_app as lifecycle_health
        from transcribe.observability import health_app as transcribe_health
        from webhooks.observability import health_app as webhooks_health

        parts = {"ecallmgr": ecallmgr_health(self.ecallmgr), "blackhole": self.gateway.health,
                 "webhooks": webhooks_health(self.webhooks, self.store),
                 "transcribe": transcribe_health(self.transcribe, self.store)}
        if self.with_callin:
            parts["callin"] = callin_health(self.callin, self.store)
        if self.with_lifecycle:
            parts["lifecycle"] = lifecycle_health(self.lifecycle, self.store,
                                                  self.lifecycle_pool)
        checks = {f"{name}.{check}": run for name, part in parts.items()
                  for check, run in part.checks.items() if check != "store"}
        observe(self.app, service="kz-all", extra_checks=checks,
                extra_collectors=[part.registry for part in parts.values()])

    # -- facts for people and tests -------------------------------------------------
    @property
    def api_url(self):
        return f"http://{self.config.listen_host}:{self.config.listen_port}/v2"

    @property
    def websocket_url(self):
        return f"ws://{self.config.blackhole_host}:{self.config.blackhole_port}/"

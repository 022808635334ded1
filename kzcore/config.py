"""Configuration: defaults < TOML file (``KZ_CONFIG`` or ``--config``) < environment.

Every setting is declared once in ``SETTINGS`` with its environment variable, so
docs, docker-compose and tests can be checked against this single table.
"""
import dataclasses
import os
import tomllib

# name -> (environment variable, default, type, help)
SETTINGS = {
    "store": ("KZ_STORE", "embedded", str, "document store: 'embedded' or 'couchdb'"),
    "store_path": ("KZ_STORE_PATH", "var/store.sqlite3", str,
                   "embedded store file (':memory:' keeps nothing)"),
    "couch_url": ("KZ_COUCH_URL", "http://127.0.0.1:5984", str, "CouchDB server URL"),
    "couch_user": ("KZ_COUCH_USER", "", str, "CouchDB user name"),
    "couch_password": ("KZ_COUCH_PASSWORD", "", str, "CouchDB password"),
    "amqp_url": ("KZ_AMQP_URL", "memory://", str,
                 "event bus: 'memory://' (in-process) or amqp://user:pass@host:5672/vhost"),
    "esl_nodes": ("KZ_ESL_NODES", "freeswitch@127.0.0.1=127.0.0.1:8021:ClueCon", str,
                  "FreeSWITCH nodes, comma separated [name=]host[:port[:password]]"),
    "esl_timeout": ("KZ_ESL_TIMEOUT", 5.0, float, "seconds to wait for any ESL reply"),
    "room_cache_ttl": ("KZ_ROOM_CACHE_TTL", 3.0, float,
                       "seconds crossbar remembers a room's node, as a hint (0 = off)"),
    "listen_host": ("KZ_LISTEN_HOST", "127.0.0.1", str, "crossbar listen address"),
    "listen_port": ("KZ_LISTEN_PORT", 8000, int, "crossbar HTTP port"),
    "public_url": ("KZ_PUBLIC_URL", "", str,
                   "URL FreeSWITCH uses to reach crossbar (media, xml_curl); default from listen"),
    "blackhole_host": ("KZ_BLACKHOLE_HOST", "127.0.0.1", str, "websocket gateway address"),
    "blackhole_port": ("KZ_BLACKHOLE_PORT", 5555, int, "websocket gateway port"),
    "callin_host": ("KZ_CALLIN_HOST", "127.0.0.1", str, "call-in outbound ESL listen address"),
    "callin_port": ("KZ_CALLIN_PORT", 8084, int, "call-in outbound ESL listen port"),
    "token_secret": ("KZ_TOKEN_SECRET", "", str,
                     "secret signing auth tokens (generated and kept beside the store if empty)"),
    "token_lifetime": ("KZ_TOKEN_LIFETIME", 3600, int, "auth token lifetime in seconds"),
    "recordings_dir": ("KZ_RECORDINGS_DIR", "var/recordings", str,
                       "directory FreeSWITCH writes recordings to (shared with crossbar)"),
    "publish_participant_event": ("KZ_PUBLISH_PARTICIPANT_EVENT", "", str,
                                  "comma separated member events to publish; empty = all"),
    "node_name": ("KZ_NODE_NAME", "", str, "this service's node name in envelopes and events"),
    "node_grace": ("KZ_NODE_GRACE", 30.0, float,
                   "seconds a lost FreeSWITCH node may stay away before its members are dropped"),
    "xmlcurl_credentials": ("KZ_XMLCURL_CREDENTIALS", "", str,
                            "user:password FreeSWITCH's mod_xml_curl must send to /fsxml "
                            "(basic auth); empty = loopback peers only"),
    # --- blackhole listener limits (security) ---
    "blackhole_header_timeout": ("KZ_BLACKHOLE_HEADER_TIMEOUT", 10.0, float,
                                 "seconds a websocket client has to send its upgrade request"),
    "blackhole_max_connections": ("KZ_BLACKHOLE_MAX_CONNECTIONS", 5000, int,
                                  "open websocket gateway connections; more are refused (503)"),
    # --- webhooks (issue 14): the kz-webhooks delivery service and crossbar's checks ---
    "webhooks_queue": ("KZ_WEBHOOKS_QUEUE", "kz-webhooks", str,
                       "durable RabbitMQ queue the webhook delivery service consumes "
                       "(single active consumer)"),
    "webhooks_queue_type": ("KZ_WEBHOOKS_QUEUE_TYPE", "classic", str,
                            "'classic' (order kept across a failover) or 'quorum' (replicated, "
                            "survives broker restarts; order may break at a failover)"),
    "webhooks_queue_length": ("KZ_WEBHOOKS_QUEUE_LENGTH", 1000000, int,
                              "events the queue keeps while no delivery service runs; "
                              "beyond it the oldest are dropped"),
    "webhooks_allow_networks": ("KZ_WEBHOOKS_ALLOW_NETWORKS", "", str,
                                "comma separated networks webhooks may reach although they "
                                "are not public (e.g. 10.1.2.0/24); empty = public only"),
    "webhooks_timeout": ("KZ_WEBHOOKS_TIMEOUT", 10.0, float,
                         "seconds a webhook request may take to connect, and per read"),
    "webhooks_retry_delay": ("KZ_WEBHOOKS_RETRY_DELAY", 2.0, float,
                             "seconds before a webhook's first retry; doubled per retry, jittered"),
    "webhooks_retry_max_delay": ("KZ_WEBHOOKS_RETRY_MAX_DELAY", 60.0, float,
                                 "longest wait between two webhook attempts, seconds"),
    "webhooks_disable_after": ("KZ_WEBHOOKS_DISABLE_AFTER", 6, int,
                               "consecutive failed events after which a webhook is disabled"),
    "webhooks_max_body": ("KZ_WEBHOOKS_MAX_BODY", 65536, int,
                          "largest webhook request body, bytes (larger events are dropped)"),
    "webhooks_pool_size": ("KZ_WEBHOOKS_POOL_SIZE", 10, int,
                           "connections the delivery service keeps open per destination"),
    "webhooks_prefetch": ("KZ_WEBHOOKS_PREFETCH", 1000, int,
                          "events the delivery service holds unacknowledged at once"),
    "webhooks_cache_ttl": ("KZ_WEBHOOKS_CACHE_TTL", 5.0, float,
                           "seconds the delivery service keeps an account's webhook list"),
    "webhooks_log_size": ("KZ_WEBHOOKS_LOG_SIZE", 100, int,
                          "delivery attempts kept per webhook (the attempts log)"),
    "log_level": ("KZ_LOG_LEVEL", "INFO", str, "log level"),
    "log_format": ("KZ_LOG_FORMAT", "json", str, "'json' or 'text'"),
}


@dataclasses.dataclass(frozen=True)
class EslNode:
    name: str
    host: str
    port: int
    password: str


@dataclasses.dataclass
class Config:
    store: str
    store_path: str
    couch_url: str
    couch_user: str
    couch_password: str
    amqp_url: str
    esl_nodes: str
    esl_timeout: float
    listen_host: str
    listen_port: int
    public_url: str
    blackhole_host: str
    blackhole_port: int
    callin_host: str
    callin_port: int
    token_secret: str
    token_lifetime: int
    recordings_dir: str
    publish_participant_event: str
    node_name: str
    node_grace: float
    log_level: str
    log_format: str
    xmlcurl_credentials: str = ""
    room_cache_ttl: float = 3.0
    # --- blackhole listener limits (security) ---
    blackhole_header_timeout: float = 10.0
    blackhole_max_connections: int = 5000
    # --- webhooks (issue 14) ---
    webhooks_queue: str = "kz-webhooks"
    webhooks_queue_type: str = "classic"
    webhooks_queue_length: int = 1000000
    webhooks_allow_networks: str = ""
    webhooks_timeout: float = 10.0
    webhooks_retry_delay: float = 2.0
    webhooks_retry_max_delay: float = 60.0
    webhooks_disable_after: int = 6
    webhooks_max_body: int = 65536
    webhooks_pool_size: int = 10
    webhooks_prefetch: int = 1000
    webhooks_cache_ttl: float = 5.0
    webhooks_log_size: int = 100

    @property
    def nodes(self):
        return parse_esl_nodes(self.esl_nodes)

    @property
    def participant_events(self):
        """The member events to publish, or None for all."""
        names = [n.strip() for n in self.publish_participant_event.split(",") if n.strip()]
        return frozenset(names) or None

    @property
    def base_url(self):
        return self.public_url or f"http://{self.listen_host}:{self.listen_port}"

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)


def parse_esl_nodes(text):
    """``[name=]host[:port[:password]],...`` -> [EslNode]; the name defaults to
    ``freeswitch@host`` (Kazoo's node naming), the password may contain ':'."""
    nodes = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, rest = item.rpartition("=")
        host, port, password = (rest.split(":", 2) + ["", ""])[:3]
        nodes.append(EslNode(name or f"freeswitch@{host}", host, int(port or 8021),
                             password or "ClueCon"))
    return nodes


def _coerce(kind, value):
    if kind is bool:
        return str(value).lower() in ("1", "true", "yes", "on")
    return kind(value)


def load_config(path=None, env=None, **overrides):
    """Build a Config from defaults, an optional TOML file, the environment and overrides."""
    env = os.environ if env is None else env
    values = {name: spec[1] for name, spec in SETTINGS.items()}
    path = path or env.get("KZ_CONFIG")
    if path:
        with open(path, "rb") as handle:
            values.update(tomllib.load(handle))
    for name, (var, _default, _kind, _help) in SETTINGS.items():
        if var in env:
            values[name] = env[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise ValueError(f"unknown configuration keys: {sorted(unknown)}")
    typed = {name: _coerce(SETTINGS[name][2], values[name]) for name in SETTINGS}
    return Config(**typed)

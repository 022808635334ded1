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
    "amqp_exchange": ("KZ_AMQP_EXCHANGE", "conference", str,
                      "RabbitMQ topic exchange of the conference events (ecallmgr publishes, "
                      "blackhole consumes: set the same on both)"),
    "esl_nodes": ("KZ_ESL_NODES", "freeswitch@127.0.0.1=127.0.0.1:8021:ClueCon", str,
                  "FreeSWITCH nodes, comma separated [name=]host[:port[:password]]"),
    "esl_timeout": ("KZ_ESL_TIMEOUT", 5.0, float, "seconds to wait for any ESL reply"),
    "room_cache_ttl": ("KZ_ROOM_CACHE_TTL", 3.0, float,
                       "seconds crossbar remembers the one node a room runs on, as a hint "
                       "(dropped at once by the room's create/destroy events; 0 = off)"),
    "dynamic_grace": ("KZ_DYNAMIC_GRACE", 5.0, float,
                      "seconds after a dial before a dynamic conference whose room runs nowhere "
                      "(and whose dialled calls are gone) counts as ended and is removed"),
    "dynamic_sweep_interval": ("KZ_DYNAMIC_SWEEP_INTERVAL", 60.0, float,
                               "seconds between sweeps for dynamic conferences whose end was "
                               "not seen (0 = only when a node (re)connects)"),
    "listen_host": ("KZ_LISTEN_HOST", "127.0.0.1", str, "crossbar listen address"),
    "listen_port": ("KZ_LISTEN_PORT", 8000, int, "crossbar HTTP port"),
    "public_url": ("KZ_PUBLIC_URL", "", str,
                   "URL FreeSWITCH uses to reach crossbar (media, xml_curl); default from listen"),
    "blackhole_host": ("KZ_BLACKHOLE_HOST", "127.0.0.1", str, "websocket gateway address"),
    "blackhole_port": ("KZ_BLACKHOLE_PORT", 5555, int, "websocket gateway port"),
    "callin_host": ("KZ_CALLIN_HOST", "127.0.0.1", str, "call-in outbound ESL listen address"),
    "callin_port": ("KZ_CALLIN_PORT", 8084, int, "call-in outbound ESL listen port"),
    # --- call-in hardening and the switch's sounds (README "Security") ---
    "callin_allowed_peers": ("KZ_CALLIN_ALLOWED_PEERS", "127.0.0.1/8,::1", str,
                             "comma separated addresses, CIDRs or host names that may connect "
                             "to the call-in socket (the FreeSWITCH nodes)"),
    "callin_secret": ("KZ_CALLIN_SECRET", "", str,
                      "shared secret the dialplan sets in channel variable callin_secret; "
                      "empty = not checked"),
    "callin_max_connections": ("KZ_CALLIN_MAX_CONNECTIONS", 1000, int,
                               "call-in sockets open at once; more are closed at once"),
    "callin_header_timeout": ("KZ_CALLIN_HEADER_TIMEOUT", 5.0, float,
                              "seconds for the connect reply, and for any frame once started"),
    "callin_pin_failures": ("KZ_CALLIN_PIN_FAILURES", 5, int,
                            "wrong PINs per conference and per caller number before each "
                            "further try waits longer (then is refused)"),
    "callin_pin_window": ("KZ_CALLIN_PIN_WINDOW", 600.0, float,
                          "seconds a wrong PIN counts against its conference and caller"),
    "fs_sounds_dir": ("KZ_FS_SOUNDS_DIR", "/usr/share/freeswitch/sounds", str,
                      "FreeSWITCH's sounds directory ($${sounds_dir}): prompts and profiles"),
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
    # --- ecallmgr high availability, health and metrics ---
    "ecallmgr_ha": ("KZ_ECALLMGR_HA", True, bool,
                    "kz-ecallmgr holds a RabbitMQ lease per switch: of several instances, "
                    "one publishes each switch's events, the others stand by"),
    "ecallmgr_lease_poll": ("KZ_ECALLMGR_LEASE_POLL", 0.2, float,
                            "seconds between a standby's tries to take a free switch lease"),
    "ecallmgr_lease_heartbeat": ("KZ_ECALLMGR_LEASE_HEARTBEAT", 1, int,
                                 "AMQP heartbeat (s) of the lease connection; a silent network "
                                 "partition frees the leases after about two"),
    "ecallmgr_standby_buffer": ("KZ_ECALLMGR_STANDBY_BUFFER", 100000, int,
                                "events per switch a standby keeps until it sees them published"),
    "ecallmgr_health_host": ("KZ_ECALLMGR_HEALTH_HOST", "127.0.0.1", str,
                             "address of ecallmgr's /health, /ready and /metrics"),
    "ecallmgr_health_port": ("KZ_ECALLMGR_HEALTH_PORT", -1, int,
                             "port of ecallmgr's /health, /ready and /metrics; "
                             "-1 = off, 0 = any free port (logged)"),
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
    # --- conference lifecycle (issue 12): the kz-lifecycle service ---
    "lifecycle_queue": ("KZ_LIFECYCLE_QUEUE", "kz-lifecycle", str,
                        "durable RabbitMQ queue the lifecycle service consumes (and the name "
                        "of its lease)"),
    "lifecycle_queue_type": ("KZ_LIFECYCLE_QUEUE_TYPE", "classic", str,
                             "'classic' (on one broker node) or 'quorum' (replicated across "
                             "a cluster, survives broker restarts); the lease stays classic"),
    "lifecycle_lease_poll": ("KZ_LIFECYCLE_LEASE_POLL", 1.0, float,
                             "seconds between a standby lifecycle service's tries to take "
                             "the lease"),
    "lifecycle_sweep_interval": ("KZ_LIFECYCLE_SWEEP_INTERVAL", 30.0, float,
                                 "seconds between looks at every node's rooms (rooms started "
                                 "or ended unseen); 0 = only on becoming active"),
    "lifecycle_retry": ("KZ_LIFECYCLE_RETRY", 5.0, float,
                        "seconds before an ending that did not finish (or a room that could "
                        "not be read) is tried again"),
    "lifecycle_gone_grace": ("KZ_LIFECYCLE_GONE_GRACE", 10.0, float,
                             "seconds a room may be missing from its node before its run is "
                             "closed without a conference-ended event (end_reason node_lost)"),
    "lifecycle_recent_participants": ("KZ_LIFECYCLE_RECENT_PARTICIPANTS", 50, int,
                                      "participants who left kept per conference "
                                      "(_read_only.recent_participants)"),
    "log_level": ("KZ_LOG_LEVEL", "INFO", str, "log level"),
    "log_format": ("KZ_LOG_FORMAT", "json", str, "'json' or 'text'"),
    # --- limits: request sizes, slow clients, login attempts, numbers (issue 17) ---
    "http_header_timeout": ("KZ_HTTP_HEADER_TIMEOUT", 10.0, float,
                            "seconds a client has to send a request line and headers (also "
                            "how long an idle keep-alive connection stays open)"),
    "http_max_connections": ("KZ_HTTP_MAX_CONNECTIONS", 1000, int,
                             "connections crossbar serves at once (per gunicorn worker); "
                             "more wait in the listen queue"),
    "http_max_connections_per_address": ("KZ_HTTP_MAX_CONNECTIONS_PER_ADDRESS", 200, int,
                                         "connections one client address may hold (kz-all, "
                                         "kz-crossbar); more are refused. 0 = no cap (use 0 "
                                         "behind a reverse proxy)"),
    "http_max_body": ("KZ_HTTP_MAX_BODY", 1024 * 1024, int,
                      "largest request body in bytes (JSON APIs, xml_curl)"),
    "http_fast_actions": ("KZ_HTTP_FAST_ACTIONS", True, bool,
                          "serve participant actions before Flask (crossbar.fast_actions: "
                          "same checks and answers, less CPU); false = every request through "
                          "Flask"),
    "http_max_auth_body": ("KZ_HTTP_MAX_AUTH_BODY", 16 * 1024, int,
                           "largest body in bytes for /api_auth and /user_auth"),
    "http_max_media_body": ("KZ_HTTP_MAX_MEDIA_BODY", 64 * 1024 * 1024, int,
                            "largest media upload (.../media/{id}/raw) in bytes"),
    "login_max_failures": ("KZ_LOGIN_MAX_FAILURES", 5, int,
                           "failed logins per account name, realm or number before a lockout"),
    "login_max_failures_per_address": ("KZ_LOGIN_MAX_FAILURES_PER_ADDRESS", 20, int,
                                       "failed logins per source address before a lockout"),
    "login_lockout": ("KZ_LOGIN_LOCKOUT", 5.0, float,
                      "seconds of the first lockout; each further failure doubles it"),
    "login_max_lockout": ("KZ_LOGIN_MAX_LOCKOUT", 900.0, float, "longest lockout in seconds"),
    "login_window": ("KZ_LOGIN_WINDOW", 900.0, float,
                     "seconds without a failure after which failures are forgotten"),
    "max_numbers_per_account": ("KZ_MAX_NUMBERS_PER_ACCOUNT", 1000, int,
                                "conference numbers one account may hold (0 = no limit)"),
    # --- carriers: resources, sofia gateways, dialling numbers out (issue 15) ---
    "default_country_code": ("KZ_DEFAULT_COUNTRY_CODE", "1", str,
                             "country calling code of national numbers when they are put in "
                             "E.164 form for resources' rules (1 = NANP)"),
    "sofia_external_profile": ("KZ_SOFIA_EXTERNAL_PROFILE", "external", str,
                               "SIP profile holding the carriers' gateways (served as sofia.conf "
                               "over xml_curl, rescanned on every node when resources change)"),
    "carrier_dial_timeout": ("KZ_CARRIER_DIAL_TIMEOUT", 30.0, float,
                             "seconds a number dialled through carriers may take, failover "
                             "included, when the dial gives no timeout"),
    # --- idempotent actions (issue 12): command_id, shared by every crossbar process ---
    "command_id_ttl": ("KZ_COMMAND_ID_TTL", 600.0, float,
                       "seconds the first answer to a command_id is kept and replayed"),
    "command_id_wait": ("KZ_COMMAND_ID_WAIT", 10.0, float,
                        "seconds a duplicate command_id waits for the first request's answer "
                        "before answering 409"),
    "command_id_sweep_interval": ("KZ_COMMAND_ID_SWEEP_INTERVAL", 60.0, float,
                                  "seconds between removals of expired command_id records "
                                  "(per crossbar process; 0 = never)"),
    # --- recordings and transcripts (issue 13) ---
    "recordings_storage": ("KZ_RECORDINGS_STORAGE", "directory", str,
                           "where finished recordings are kept: 'directory' (the files under "
                           "KZ_RECORDINGS_DIR) or 'store' (attachments of their documents)"),
    "recordings_max_duration": ("KZ_RECORDINGS_MAX_DURATION", 86400, int,
                                "seconds a recording runs when its start gives no "
                                "max_duration_s (at most 86400)"),
    "recordings_sweep_interval": ("KZ_RECORDINGS_SWEEP_INTERVAL", 3600.0, float,
                                  "seconds between removals of recordings older than their "
                                  "account's recordings_retention_days (0 = never)"),
    "transcribe_engine": ("KZ_TRANSCRIBE_ENGINE", "pocketsphinx", str,
                          "speech-to-text engine: 'pocketsphinx' (offline, en-us) or "
                          "'package.module:factory'"),
    "transcribe_languages": ("KZ_TRANSCRIBE_LANGUAGES", "en-us", str,
                             "comma separated languages transcription accepts (the first is "
                             "the default); others are a 400"),
    "transcribe_queue": ("KZ_TRANSCRIBE_QUEUE", "kz-transcribe", str,
                         "durable RabbitMQ queue of transcription jobs (kz-transcribe)"),
    "transcribe_queue_type": ("KZ_TRANSCRIBE_QUEUE_TYPE", "classic", str,
                              "'classic' (on one broker node) or 'quorum' (replicated across "
                              "a cluster, survives broker restarts)"),
    # --- conference focus across several nodes (issue 18): kzcore/placement.py ---
    "focus_rule": ("KZ_FOCUS_RULE", "rendezvous", str,
                   "how new rooms are placed on the nodes: 'rendezvous' (hash of the conference "
                   "id over the healthy nodes) or 'ordered' (first healthy node as configured)"),
    "focus_sip_addresses": ("KZ_FOCUS_SIP_ADDRESSES", "", str,
                            "comma separated node=host:port the call-in service bridges callers "
                            "to, to reach a node's SIP profile (a node not listed: its ESL host, "
                            "port 5060)"),
    "focus_sip_profile": ("KZ_FOCUS_SIP_PROFILE", "internal", str,
                          "SIP profile the call-in service's bridge legs leave by"),
    "focus_secret": ("KZ_FOCUS_SECRET", "", str,
                     "secret signing the token a bridged caller carries to the focus node "
                     "(empty: derived from KZ_CALLIN_SECRET, else random per process)"),
    "focus_token_ttl": ("KZ_FOCUS_TOKEN_TTL", 30.0, float,
                        "seconds a bridged caller's focus token is valid"),
    # --- scale-out (issue 16): health ports, per-worker metrics, shared login throttle ---
    "metrics_dir": ("KZ_METRICS_DIR", "", str,
                    "directory where each gunicorn worker of crossbar leaves its counters so "
                    "that /metrics adds up every worker (crossbar.gunicorn_conf sets one)"),
    "callin_health_host": ("KZ_CALLIN_HEALTH_HOST", "127.0.0.1", str,
                           "address of kz-callin's /health, /ready and /metrics"),
    "callin_health_port": ("KZ_CALLIN_HEALTH_PORT", -1, int,
                           "port of kz-callin's /health, /ready and /metrics; -1 = off, "
                           "0 = any free port (logged)"),
    "webhooks_health_host": ("KZ_WEBHOOKS_HEALTH_HOST", "127.0.0.1", str,
                             "address of kz-webhooks' /health, /ready and /metrics"),
    "webhooks_health_port": ("KZ_WEBHOOKS_HEALTH_PORT", -1, int,
                             "port of kz-webhooks' /health, /ready and /metrics; -1 = off, "
                             "0 = any free port (logged)"),
    "lifecycle_health_host": ("KZ_LIFECYCLE_HEALTH_HOST", "127.0.0.1", str,
                              "address of kz-lifecycle's /health, /ready and /metrics"),
    "lifecycle_health_port": ("KZ_LIFECYCLE_HEALTH_PORT", -1, int,
                              "port of kz-lifecycle's /health, /ready and /metrics; -1 = off, "
                              "0 = any free port (logged)"),
    "transcribe_health_host": ("KZ_TRANSCRIBE_HEALTH_HOST", "127.0.0.1", str,
                               "address of kz-transcribe's /health, /ready and /metrics"),
    "transcribe_health_port": ("KZ_TRANSCRIBE_HEALTH_PORT", -1, int,
                               "port of kz-transcribe's /health, /ready and /metrics; -1 = off, "
                               "0 = any free port (logged)"),
    "login_sync_interval": ("KZ_LOGIN_SYNC_INTERVAL", 1.0, float,
                            "seconds between a crossbar process's writes of its failed logins "
                            "to the store (shared throttling); 0 = each process counts alone"),
    "login_throttle_buckets": ("KZ_LOGIN_THROTTLE_BUCKETS", 64, int,
                               "documents the shared login counts are spread over (bounds the "
                               "store writes: at most this many per sync interval per process)"),
    "trusted_proxies": ("KZ_TRUSTED_PROXIES", "", str,
                        "comma separated addresses/networks of the load balancers in front of "
                        "crossbar: logins from them are throttled by X-Forwarded-For's client"),
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
    amqp_exchange: str = "conference"
    room_cache_ttl: float = 3.0
    # --- blackhole listener limits (security) ---
    blackhole_header_timeout: float = 10.0
    blackhole_max_connections: int = 5000
    dynamic_grace: float = 5.0
    dynamic_sweep_interval: float = 60.0
    # limits (issue 17); the defaults repeat SETTINGS (fields after a default need one)
    http_header_timeout: float = 10.0
    http_max_connections: int = 1000
    http_max_connections_per_address: int = 200
    http_max_body: int = 1024 * 1024
    http_fast_actions: bool = True
    http_max_auth_body: int = 16 * 1024
    http_max_media_body: int = 64 * 1024 * 1024
    login_max_failures: int = 5
    login_max_failures_per_address: int = 20
    login_lockout: float = 5.0
    login_max_lockout: float = 900.0
    login_window: float = 900.0
    max_numbers_per_account: int = 1000
    callin_allowed_peers: str = "127.0.0.1/8,::1"
    callin_secret: str = ""
    callin_max_connections: int = 1000
    callin_header_timeout: float = 5.0
    callin_pin_failures: int = 5
    callin_pin_window: float = 600.0
    fs_sounds_dir: str = "/usr/share/freeswitch/sounds"
    # --- ecallmgr high availability, health and metrics ---
    ecallmgr_ha: bool = True
    ecallmgr_lease_poll: float = 0.2
    ecallmgr_lease_heartbeat: int = 1
    ecallmgr_standby_buffer: int = 100000
    ecallmgr_health_host: str = "127.0.0.1"
    ecallmgr_health_port: int = -1
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
    # carriers (issue 15)
    default_country_code: str = "1"
    sofia_external_profile: str = "external"
    carrier_dial_timeout: float = 30.0
    # --- idempotent actions (issue 12) ---
    command_id_ttl: float = 600.0
    command_id_wait: float = 10.0
    command_id_sweep_interval: float = 60.0
    # --- conference lifecycle (issue 12) ---
    lifecycle_queue: str = "kz-lifecycle"
    lifecycle_queue_type: str = "classic"
    lifecycle_lease_poll: float = 1.0
    lifecycle_sweep_interval: float = 30.0
    lifecycle_retry: float = 5.0
    lifecycle_gone_grace: float = 10.0
    lifecycle_recent_participants: int = 50
    # --- recordings and transcripts (issue 13) ---
    recordings_storage: str = "directory"
    recordings_max_duration: int = 86400
    recordings_sweep_interval: float = 3600.0
    transcribe_engine: str = "pocketsphinx"
    transcribe_languages: str = "en-us"
    transcribe_queue: str = "kz-transcribe"
    transcribe_queue_type: str = "classic"
    # --- conference focus (issue 18) ---
    focus_rule: str = "rendezvous"
    focus_sip_addresses: str = ""
    focus_sip_profile: str = "internal"
    focus_secret: str = ""
    focus_token_ttl: float = 30.0
    # --- scale-out (issue 16) ---
    metrics_dir: str = ""
    callin_health_host: str = "127.0.0.1"
    callin_health_port: int = -1
    webhooks_health_host: str = "127.0.0.1"
    webhooks_health_port: int = -1
    lifecycle_health_host: str = "127.0.0.1"
    lifecycle_health_port: int = -1
    transcribe_health_host: str = "127.0.0.1"
    transcribe_health_port: int = -1
    login_sync_interval: float = 1.0
    login_throttle_buckets: int = 64
    trusted_proxies: str = ""

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

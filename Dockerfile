# The Python services: crossbar (gunicorn + gevent), ecallmgr, blackhole, call-in.
# One image (the last stage, built by default); docker-compose.yml picks the command per
# service. The "freeswitch" stage is only built for the FreeSWITCH service.
FROM python:3.11-slim AS build
WORKDIR /src
COPY setup.cfg pyproject.toml README.md ./
COPY kzcore ./kzcore
COPY crossbar ./crossbar
COPY ecallmgr ./ecallmgr
COPY blackhole ./blackhole
COPY callin ./callin
COPY fssim ./fssim
COPY kzdemo ./kzdemo
COPY schemas ./schemas
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# FreeSWITCH 1.10 (target "freeswitch", image kazoo-freeswitch:1.10 in docker-compose.yml),
# from SignalWire's own Debian packages, the maintained 1.10 build (the same repository
# and token scheme as signalwire/freeswitch scripts/packaging/fsget.sh). The repository
# needs a free SignalWire personal access token, given as a build secret:
#   SIGNALWIRE_TOKEN=pat_... docker compose build freeswitch
# FS_MODULES must cover every <load module="mod_x"/> of fs_conf/autoload_configs/modules.conf.xml
# (tests/unit/test_compose.py checks it); fs_conf is mounted over /etc/freeswitch.
FROM debian:bookworm-slim AS freeswitch
ARG FS_SERIES=1.10
ARG FS_MODULES="commands conference console db dialplan-xml dptools event-socket expr flite \
    g723-1 g729 hash http-cache local-stream logfile loopback native-file opus say-en shout \
    sndfile sofia tone-stream xml-curl"
ARG FS_SOUNDS="freeswitch-music-default freeswitch-sounds-en-us-callie"
RUN --mount=type=secret,id=signalwire_token \
    set -eu; \
    token="$(cat /run/secrets/signalwire_token 2>/dev/null || true)"; \
    if [ -z "$token" ]; then echo "set SIGNALWIRE_TOKEN (SignalWire personal access token)" >&2; exit 1; fi; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates wget; \
    wget -q --http-user=signalwire --http-password="$token" \
        -O /usr/share/keyrings/signalwire-freeswitch-repo.gpg \
        https://freeswitch.signalwire.com/repo/deb/debian-release/signalwire-freeswitch-repo.gpg; \
    printf 'machine freeswitch.signalwire.com login signalwire password %s\n' "$token" \
        > /etc/apt/auth.conf.d/signalwire.conf; \
    chmod 600 /etc/apt/auth.conf.d/signalwire.conf; \
    echo "deb [signed-by=/usr/share/keyrings/signalwire-freeswitch-repo.gpg] https://freeswitch.signalwire.com/repo/deb/debian-release/ bookworm main" \
        > /etc/apt/sources.list.d/freeswitch.list; \
    apt-get update; \
    apt-get install -y --no-install-recommends freeswitch \
        $(for module in $FS_MODULES; do printf 'freeswitch-mod-%s ' "$module"; done) $FS_SOUNDS; \
    rm -f /etc/apt/auth.conf.d/signalwire.conf /etc/apt/sources.list.d/freeswitch.list; \
    apt-get purge -y wget; apt-get autoremove -y; apt-get clean; rm -rf /var/lib/apt/lists/*; \
    freeswitch -version | grep -q "version: ${FS_SERIES}\." \
        || { echo "SignalWire's release repository no longer serves FreeSWITCH ${FS_SERIES}" >&2; exit 1; }; \
    command -v fs_cli >/dev/null; \
    rm -rf /etc/freeswitch/*; \
    mkdir -p /var/lib/kazoo/recordings
# Prompts and music on hold where fs_conf (local_stream.conf.xml: $${sounds_dir}/music/<rate>)
# and the services (KZ_FS_SOUNDS_DIR, default /usr/share/freeswitch/sounds) expect them.
# The sound packages install <voice>/<dir>/<rate>/<file>.wav (mod_sndfile finds the rate
# directory itself) and music as music/<rate> or, in some versions, music/default/<rate>:
# link the latter so that music/8000 and music/16000 exist. The build fails when a call-in
# prompt (CALLIN_PROMPTS = callin/prompts.py FILES; tests/unit/test_callin_fs_conf.py) or
# the music is missing, instead of a switch that fails every prompt at run time.
ARG CALLIN_PROMPTS="ivr/ivr-welcome conference/conf-enter_conf_number ivr/ivr-please_try_again \
    conference/conf-enter_conf_pin conference/conf-bad-pin conference/conf-locked voicemail/vm-goodbye \
    voicemail/vm-record_name1 ivr/ivr-one_moment_please conference/conf-has_joined conference/conf-has_left"
RUN set -eu; sounds=/usr/share/freeswitch/sounds; \
    for rate in 8000 16000; do \
      if [ ! -e "$sounds/music/$rate" ] && [ -d "$sounds/music/default/$rate" ]; then \
        ln -s "default/$rate" "$sounds/music/$rate"; \
      fi; \
      ls "$sounds/music/$rate/" | grep -q '\.wav$' \
        || { echo "no music on hold in $sounds/music/$rate" >&2; exit 1; }; \
    done; \
    for prompt in $CALLIN_PROMPTS; do \
      voice="$sounds/en/us/callie"; \
      [ -f "$voice/$prompt.wav" ] || [ -f "$voice/${prompt%/*}/8000/${prompt#*/}.wav" ] \
        || { echo "prompt $prompt missing under $voice" >&2; exit 1; }; \
    done
# SIP, RTP (fs_conf/vars.xml), event socket (private network only)
EXPOSE 5060/udp 5060/tcp 16384-16484/udp 8021/tcp
CMD ["freeswitch", "-nonat", "-c"]

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && groupadd --gid 1000 kazoo && useradd --uid 1000 --gid kazoo --home-dir /var/lib/kazoo kazoo \
    && mkdir -p /var/lib/kazoo/recordings/callin-names /var/lib/kazoo/var \
    && chown -R kazoo:kazoo /var/lib/kazoo \
    && chmod 700 /var/lib/kazoo/recordings /var/lib/kazoo/var
# Recordings and var/ are the kazoo user's alone (0700). FreeSWITCH writes into the shared
# recordings volume as root (its image's default user), which needs no group access; a
# FreeSWITCH running as another user must run as uid 1000 (see docs/DEPLOY.md).
WORKDIR /var/lib/kazoo
USER kazoo
# crossbar HTTP, blackhole websocket, call-in outbound ESL
EXPOSE 8000 5555 8084
CMD ["gunicorn", "--config", "python:crossbar.gunicorn_conf", "--worker-class", "gevent", "--workers", "4", "--bind", "0.0.0.0:8000", "crossbar.wsgi:application"]

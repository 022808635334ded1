# The Python services: crossbar (gunicorn + gevent), ecallmgr, blackhole, call-in.
# One image; docker-compose.yml picks the command per service.
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

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && groupadd --gid 1000 kazoo && useradd --uid 1000 --gid kazoo --home-dir /var/lib/kazoo kazoo \
    && mkdir -p /var/lib/kazoo/recordings/callin-names /var/lib/kazoo/var \
    && chown -R kazoo:kazoo /var/lib/kazoo
WORKDIR /var/lib/kazoo
USER kazoo
# crossbar HTTP, blackhole websocket, call-in outbound ESL
EXPOSE 8000 5555 8084
CMD ["gunicorn", "--worker-class", "gevent", "--workers", "4", "--bind", "0.0.0.0:8000", "crossbar.wsgi:application"]

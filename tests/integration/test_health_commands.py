"""``kz-lifecycle`` and ``kz-transcribe`` as real processes, configured by
``KZ_*`` as docker-compose configures them: their health port answers /health,
/ready and /metrics, and the compose health check (``python -m
kzcore.healthcheck <setting>``) passes against them."""
import subprocess
import sys

import pytest
import requests

from tests.support.couch import free_port, stop_process
from tests.support.crossbar_procs import product_env
from tests.support.paths import REPO
from tests.support.rabbit import delete_queues, unique_name
from tests.support.scrape import get, names, scrape, wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.timeout(120)]

# module, its port setting, its queue setting, series it must serve
COMMANDS = {
    "lifecycle": ("lifecycle.cli", "lifecycle_health_port", "lifecycle_queue",
                  {"kz_lifecycle_active", "kz_lifecycle_rooms_watched",
                   "kz_lifecycle_switch_connected", "kz_lifecycle_broker_connected"}),
    "transcribe": ("transcribe.cli", "transcribe_health_port", "transcribe_queue",
                   {"kz_transcribe_jobs_received_total", "kz_transcribe_audio_seconds_total",
                    "kz_transcribe_queue_consuming"}),
}


@pytest.mark.parametrize("service", sorted(COMMANDS))
def test_the_command_serves_its_health_port(service, tmp_path, fssim, amqp_url, temp_exchange):
    module, port_setting, queue_setting, series = COMMANDS[service]
    port, queue = free_port(), unique_name(f"kz-test-{service}-cmd")
    env = product_env(**{
        "store": "embedded", "store_path": tmp_path / "store.sqlite3", "amqp_url": amqp_url,
        "amqp_exchange": temp_exchange, "esl_nodes": f"{fssim.node_name}=127.0.0.1:"
        f"{fssim.port}:ClueCon", "recordings_dir": tmp_path, "log_level": "WARNING",
        "transcribe_engine": "tests.integration.test_transcribe_health:WordEngine",
        f"{service}_health_host": "127.0.0.1", port_setting: port, queue_setting: queue})
    log_path = tmp_path / f"{service}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", module], env=env, cwd=str(REPO),
                                   stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            body = wait_for(lambda: _ready(base, process), timeout=40)
        except AssertionError:
            raise AssertionError(log_path.read_text()[-3000:]) from None
        assert body["service"] == service and set(body["checks"]) >= {"broker", "store"}
        assert get(base, "/health")[0] == 200
        assert series <= names(scrape(base)), series - names(scrape(base))
        check = subprocess.run([sys.executable, "-m", "kzcore.healthcheck", port_setting],
                               env=env, cwd=str(REPO), capture_output=True, text=True,
                               timeout=30)
        assert check.returncode == 0, check.stderr
    finally:
        stop_process(process)
        delete_queues(amqp_url, queue)


def _ready(base, process):
    """/ready's body once it answers 200; None before (not listening yet, or 503)."""
    assert process.poll() is None, "the command exited"
    try:
        status, body = get(base, "/ready")
    except requests.ConnectionError:
        return None
    return body if status == 200 else None



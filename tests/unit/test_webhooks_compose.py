"""The webhook delivery service in docker-compose.yml: its command is the console
script, and its health check passes only while it holds a RabbitMQ connection."""
import socket
import subprocess
import sys

import yaml

from tests.support.paths import REPO
from tests.unit.test_compose import console_scripts, env


def service():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]["webhooks"]


def run_check(amqp_port):
    test = service()["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    variables = dict(env(service()), PATH="/usr/bin:/bin", PYTHONPATH=str(REPO),
                     KZ_AMQP_URL=f"amqp://kazoo:x@127.0.0.1:{amqp_port}/")
    return subprocess.run([sys.executable, "-c", test[3]], env=variables, capture_output=True,
                          text=True, timeout=30)


def test_command_is_the_kz_webhooks_console_script():
    assert service()["command"] == ["kz-webhooks"]
    assert console_scripts()["kz-webhooks"] == "webhooks.cli:main"
    assert set(service()["depends_on"]) == {"couchdb-init", "rabbitmq"}


def test_healthy_only_while_connected_to_rabbitmq():
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        alone = run_check(port)
        assert alone.returncode != 0 and "RabbitMQ" in alone.stderr
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            assert run_check(port).returncode == 0
        finally:
            client.close()
    finally:
        listener.close()

"""The webhook delivery service in docker-compose.yml: its command is the console
script (its health check, GET /ready, is checked with the others' in test_compose)."""
import yaml

from tests.support.paths import REPO
from tests.unit.test_compose import console_scripts


def service():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]["webhooks"]


def test_command_is_the_kz_webhooks_console_script():
    assert service()["command"] == ["kz-webhooks"]
    assert console_scripts()["kz-webhooks"] == "webhooks.cli:main"
    assert set(service()["depends_on"]) == {"couchdb-init", "rabbitmq"}

"""Another account's token on every account-scoped operation of the description:
401/403/404 only, and never the other account's data. First every operation once
with the real ids of account A's documents (A's token for B's... B's token on A's
ids), then schemathesis with B's token on A's account id (tests/support/openapi_fuzz.py)."""
import io
import json

import pytest

from tests.integration.test_live_support import rig  # noqa: F401  (fixture)
from tests.support import openapi_fuzz

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
REFUSED = (401, 403, 404)
SECRET = "alpha-private-7f3a"


def _alpha_documents(api, alpha):
    """One document of each kind in A, each holding SECRET; ``{path name: id}``."""
    ids = {"account_id": alpha.account_id}
    for collection, name, data in (
            ("conferences", "conference_id", {"name": SECRET}),
            ("users", "user_id", {"first_name": SECRET, "last_name": "A",
                                  "username": f"{SECRET}-user", "password": "pw-12345678"}),
            ("devices", "device", {"name": SECRET}),
            ("media", "media", {"name": SECRET}),
            ("webhooks", "webhook", {"name": SECRET, "uri": "https://crm.example.com/hook",
                                     "hook": "conference"})):
        reply = api.call("PUT", f"/v2/accounts/{alpha.account_id}/{collection}", data,
                         token=alpha.token)
        assert reply.status_code == 201, (collection, reply.get_json())
        ids[name] = reply.get_json()["data"]["id"]
    return ids


def _path_values(path, ids):
    collection = path.split("/")[4] if path.count("/") > 3 else ""
    by_collection = {"users": ids["user_id"], "devices": ids["device"], "media": ids["media"],
                     "webhooks": ids["webhook"], "resources": ids["device"]}
    return {"account_id": ids["account_id"], "conference_id": ids["conference_id"],
            "user_id": ids["user_id"], "doc_id": by_collection.get(collection, ids["device"]),
            "participant_id": "1", "recording_id": ids["conference_id"],
            "transcript_id": ids["conference_id"]}


def _body(operation):
    if "requestBody" not in operation:
        return {}
    content = operation["requestBody"]["content"]
    if "application/json" not in content:
        return {"input_stream": io.BytesIO(b"RIFF\x00\x00\x00\x00WAVE"),
                "content_type": "audio/wav"}
    schema = content["application/json"]["schema"]
    body = {"action": "lock"} if "oneOf" in schema else {"data": {"name": "from B"}}
    return {"json": body}


def test_every_account_scoped_operation_refuses_another_accounts_token(rig):  # noqa: F811
    api, alpha, beta = rig.api, rig.alpha, rig.beta
    ids = _alpha_documents(api, alpha)
    document = api.client.get("/v2/openapi.json").get_json()
    tried = 0
    for path, item in document["paths"].items():
        if not path.startswith("/v2/accounts/{account_id}"):
            continue
        url = path.format(**_path_values(path, ids))
        for method, operation in item.items():
            reply = api.call(method.upper(), url, token=beta.token, **_body(operation))
            text = reply.get_data(as_text=True)
            assert reply.status_code in REFUSED, (method, url, reply.status_code, text[:300])
            assert SECRET not in text and alpha.api_key not in text, (method, url, text[:300])
            leaked = set(ids.values()) - set(url.split("/"))
            assert not [value for value in leaked if value in text], (method, url, text[:300])
            tried += 1
    assert tried >= 50, tried
    # and A's documents are as they were
    for collection, name in (("conferences", "conference_id"), ("users", "user_id")):
        reply = api.call("GET", f"/v2/accounts/{alpha.account_id}/{collection}/{ids[name]}",
                         token=alpha.token)
        assert reply.status_code == 200 and SECRET in json.dumps(reply.get_json()["data"])


def test_schemathesis_with_another_accounts_token_gets_only_refusals(rig, tmp_path,  # noqa: F811
                                                                    capsys):
    result = openapi_fuzz.run(
        rig.config.public_url, rig.beta.token, rig.alpha.account_id, tmp_path,
        phases="examples,fuzzing", expected=["401", "403", "404"],
        checks="not_a_server_error,status_code_conformance,content_type_conformance,"
               "response_schema_conformance,positive_data_acceptance,negative_data_rejection",
        extra=["--include-path-regex", r"^/v2/accounts/\{account_id\}"])
    print(result.output[-4000:])
    with capsys.disabled():
        print(f"\nschemathesis (B's token on A's account): {result.cases} test cases generated, "
              f"{result.summary}")
    assert result.cases > 0, result.output[-3000:]
    assert result.returncode == 0, result.output[-20000:]

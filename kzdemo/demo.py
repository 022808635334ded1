"""The demo data of the one-command run: an account, an admin, a conference."""
import hashlib

DEMO_ACCOUNT = "demo"
DEMO_REALM = "demo.localhost"
DEMO_USER = "admin"
DEMO_PASSWORD = "demo"
DEMO_CONFERENCE = {
    "name": "Demo conference",
    "conference_numbers": ["5000"],
    "member": {"numbers": ["5001"], "pins": [], "join_muted": False},
    "moderator": {"numbers": ["5009"], "pins": ["4321"]},
    "play_entry_tone": True,
    "play_exit_tone": True,
}


def md5_credentials(username, password):
    return hashlib.md5(f"{username}:{password}".encode()).hexdigest()


def ensure_demo(stack):
    """Bootstrap the demo account (idempotent) and its demo conference, through
    the API itself so the document is validated like any client's."""
    from crossbar.bootstrap import bootstrap

    creds = bootstrap(stack.store, account_name=DEMO_ACCOUNT, realm=DEMO_REALM,
                      username=DEMO_USER, password=DEMO_PASSWORD)
    client = stack.app.test_client()
    auth = client.put("/v2/api_auth", json={"data": {"api_key": creds["api_key"]}})
    token = auth.get_json()["auth_token"]
    headers = {"X-Auth-Token": token}
    base = f"/v2/accounts/{creds['account_id']}/conferences"
    listed = client.get(base, headers=headers).get_json()["data"]
    existing = [c for c in listed if c.get("name") == DEMO_CONFERENCE["name"]]
    if existing:
        conference_id = existing[0]["id"]
    else:
        created = client.put(base, json={"data": DEMO_CONFERENCE}, headers=headers)
        conference_id = created.get_json()["data"]["id"]
    return dict(creds, conference_id=conference_id)

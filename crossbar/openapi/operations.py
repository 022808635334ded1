"""Every operation of the API, one row each (kept in step with the routes by
tests/unit/test_crossbar_openapi.py): the request body names the stored schema
(``system_schemas``) the server validates it with, or RAW_BODY (audio upload)."""

A = "/v2/accounts/{account_id}"
CONF = f"{A}/conferences/{{conference_id}}"
HOOK = f"{A}/webhooks/{{doc_id}}"
RAW_BODY = "raw"            # audio upload


def _crud(tag, collection, schema_id):
    base, one = f"{A}/{collection}", f"{A}/{collection}/{{doc_id}}"
    return [
        ("get", base, f"list_{collection}", f"List {collection}", None, "200", tag),
        ("put", base, f"create_{collection}", f"Create a {schema_id} document", schema_id, "201",
         tag),
        ("get", one, f"get_{collection}", f"Get one of {collection}", None, "200", tag),
        ("post", one, f"update_{collection}", "Replace the document", schema_id, "200", tag),
        ("patch", one, f"patch_{collection}", "Merge into the document", schema_id, "200", tag),
        ("delete", one, f"delete_{collection}", "Delete the document", None, "200", tag),
    ]


# (method, path, operationId, summary, request body, success status, tag)
OPERATIONS = [
    ("put", "/v2/api_auth", "api_auth", "Authenticate with an account API key", "api_auth",
     "201", "auth"),
    ("put", "/v2/user_auth", "user_auth",
     "Authenticate with md5/sha1 user credentials and an account name, realm or phone number",
     "user_auth", "201", "auth"),
    ("get", "/v2/token_auth", "token_auth", "Claims of the presented token", None, "200", "auth"),
    ("get", "/v2/openapi.json", "openapi", "This document", None, "200", "meta"),
    ("get", "/v2/docs", "docs", "This document rendered for people (Swagger UI, served by "
     "crossbar)", None, "200", "meta"),
    ("put", "/v2/accounts", "create_account",
     "Create a top-level account (superduper admin only; 403 otherwise)", "accounts", "201",
     "accounts"),
    ("get", A, "get_account", "Get the account", None, "200", "accounts"),
    ("put", A, "create_child_account", "Create a child account", "accounts", "201", "accounts"),
    ("post", A, "update_account", "Replace the account", "accounts", "200", "accounts"),
    ("patch", A, "patch_account", "Merge into the account", "accounts", "200", "accounts"),
    ("delete", A, "delete_account", "Delete a descendant account without children", None,
     "200", "accounts"),
    ("get", f"{A}/children", "account_children", "Direct child accounts", None, "200",
     "accounts"),
    ("get", f"{A}/descendants", "account_descendants", "All descendant accounts", None, "200",
     "accounts"),
    ("get", f"{A}/api_key", "account_api_key", "The account's API key (admins only)", None,
     "200", "accounts"),
    ("put", f"{A}/api_key", "rotate_api_key",
     "Issue a new API key, returned once in this reply; the old key and every token issued "
     "from it stop working at once (admins of the account or an ancestor)", None, "201",
     "accounts"),
    ("delete", f"{A}/user_auth", "sign_out_account",
     "Sign the account out everywhere: every token issued for it until now (users' and API "
     "keys') stops working (admins only)", None, "200", "accounts"),
    *_crud("users", "users", "users"),
    ("delete", f"{A}/users/{{user_id}}/user_auth", "sign_out_user",
     "Sign the user out everywhere: every token issued for the user until now stops working "
     "(the user itself, or an admin)", None, "200", "users"),
    *_crud("devices", "devices", "devices"),
    *_crud("media", "media", "media"),
    ("get", f"{A}/media/{{doc_id}}/raw", "get_media_raw", "Download the audio", None, "200",
     "media"),
    ("put", f"{A}/media/{{doc_id}}/raw", "put_media_raw", "Upload the audio", RAW_BODY, "200",
     "media"),
    ("post", f"{A}/media/{{doc_id}}/raw", "post_media_raw", "Upload the audio", RAW_BODY, "200",
     "media"),
    ("get", f"{A}/conferences", "list_conferences", "List conferences with live counts", None,
     "200", "conferences"),
    ("put", f"{A}/conferences", "create_conference", "Create a conference", "conferences", "201",
     "conferences"),
    ("get", CONF, "get_conference", "Get a conference with its live _read_only part", None,
     "200", "conferences"),
    ("post", CONF, "update_conference", "Replace a conference", "conferences", "200",
     "conferences"),
    ("patch", CONF, "patch_conference", "Merge into a conference", "conferences", "200",
     "conferences"),
    ("delete", CONF, "delete_conference", "Delete a conference (409 while its room runs, "
     "unless ?end=true, which ends the room first)", None, "200", "conferences"),
    ("put", CONF, "conference_action", "lock, unlock, dial, play, record or end",
     "conferences.action", "202", "conferences"),
    ("get", f"{CONF}/participants", "list_participants", "Live participants", None, "200",
     "participants"),
    ("put", f"{CONF}/participants", "participants_action",
     "mute, unmute, deaf, undeaf, kick, play or relate", "conferences.participants.action",
     "202", "participants"),
    ("get", f"{CONF}/participants/{{participant_id}}", "get_participant", "One live participant",
     None, "200", "participants"),
    ("put", f"{CONF}/participants/{{participant_id}}", "participant_action",
     "mute, unmute, deaf, undeaf, kick, play or end_conference_on_exit",
     "conferences.participant.action", "202",
     "participants"),
    ("get", f"{CONF}/recordings", "list_recordings", "Recording history of the conference, "
     "oldest first, paginated; filters participant_id, call_id, kind", None, "200",
     "conferences"),
    ("get", f"{A}/webhooks", "list_webhooks", "List webhooks", None, "200", "webhooks"),
    ("put", f"{A}/webhooks", "create_webhook",
     "Create a webhook; the reply's data.secret (signing key) is shown this once", "webhooks",
     "201", "webhooks"),
    ("get", HOOK, "get_webhook", "Get a webhook (_read_only.auto_disabled when the delivery "
     "service disabled it)", None, "200", "webhooks"),
    ("post", HOOK, "update_webhook", "Replace a webhook", "webhooks", "200", "webhooks"),
    ("patch", HOOK, "patch_webhook", "Merge into a webhook ({\"enabled\": true} re-enables it)",
     "webhooks", "200", "webhooks"),
    ("delete", HOOK, "delete_webhook", "Delete a webhook and its delivery log", None, "200",
     "webhooks"),
    ("get", f"{HOOK}/attempts", "webhook_attempts", "The delivery log: one entry per attempt "
     "(time, event, status or error, duration_ms, attempt), newest first, bounded", None, "200",
     "webhooks"),
    ("post", f"{HOOK}/secret", "rotate_webhook_secret",
     "A new signing secret (data.secret, shown this once); the old one stops signing", None,
     "200", "webhooks"),
    # added by the live part's blueprint (crossbar.live.create_blueprint)
    ("get", f"{CONF}/recordings/{{recording_id}}", "get_recording", "One recording", None,
     "200", "conferences"),
    ("get", f"{CONF}/recordings/{{recording_id}}/raw", "get_recording_raw",
     "The recording's audio (WAV or MP3); HTTP Range answers 206", None, "200", "conferences"),
    ("delete", f"{CONF}/recordings/{{recording_id}}", "delete_recording",
     "Delete a stopped recording (file and document); 409 while it is being made", None,
     "200", "conferences"),
    ("get", f"{CONF}/recordings/{{recording_id}}/playback", "get_recording_playback_link",
     "A playback link (data.url, expiring) for a player that sends no auth header", None,
     "200", "conferences"),
    ("get", "/v2/recording_playback/{token}", "recording_playback",
     "A recording's audio by its playback link (HTTP Range answers 206)", None, "200",
     "conferences"),
    ("get", f"{CONF}/transcripts", "list_transcripts", "Transcripts of the conference", None,
     "200", "conferences"),
    ("get", f"{CONF}/transcripts/{{transcript_id}}", "get_transcript",
     "One transcript: status, progress, segments (start, end, participant, text, confidence)",
     None, "200", "conferences"),
    ("delete", f"{CONF}/transcripts/{{transcript_id}}", "delete_transcript",
     "Delete a finished (ready or failed) transcript; 409 before", None, "200", "conferences"),
    ("get", f"{CONF}/transcripts/{{transcript_id}}/raw", "get_transcript_raw",
     "The transcript as WebVTT (format=vtt) or plain text (format=txt)", None, "200",
     "conferences"),
    ("get", "/v2/live_media/{token}/{name}", "live_media",
     "A media file for FreeSWITCH, by a signed expiring link", None, "200", "media"),
    # carriers (issue 15): an account's resources (its admins) and the system's (superduper)
    *_crud("resources", "resources", "resources"),
    *[(method, path.replace(A, "/v2"), f"system_{op_id}",
       f"{summary} (system resources: superduper admins only)", body, status, tag)
      for method, path, op_id, summary, body, status, tag
      in _crud("resources", "resources", "resources")],
]
PUBLIC = {"api_auth", "user_auth", "openapi", "docs", "live_media", "recording_playback"}


def body_schema_ids():
    """Every stored schema a request body is described by."""
    return sorted({op[4] for op in OPERATIONS if op[4] and op[4] != RAW_BODY})

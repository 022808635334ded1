"""The OpenAPI 3.1 document of the whole API (kept in step with the routes by
tests/unit/test_crossbar_openapi.py). Request bodies reference the JSON schemas
stored in ``system_schemas`` (served under ``components.schemas``)."""
from kzcore.naming import SCHEMAS_DB

A = "/v2/accounts/{account_id}"
CONF = f"{A}/conferences/{{conference_id}}"
HOOK = f"{A}/webhooks/{{doc_id}}"
ACTION_BODY = "action"      # {"action", "data"} bodies (conference/participant actions)
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
PUBLIC = {"api_auth", "user_auth", "openapi", "live_media", "recording_playback"}
AUTH_BODIES = {
    "api_auth": {"type": "object", "required": ["api_key"],
                 "properties": {"api_key": {"type": "string"}}},
    "user_auth": {"type": "object", "required": ["credentials"], "properties": {
        "credentials": {"type": "string", "description": "md5 (or sha1) of 'username:password'"},
        "account_name": {"type": "string"}, "account_realm": {"type": "string"},
        "phone_number": {"type": "string", "minLength": 1, "maxLength": 64, "description":
                         "a dialled number of one of the account's conferences "
                         "(conference_numbers, member.numbers, moderator.numbers); "
                         "non-digits are ignored"},
        "method": {"type": "string", "enum": ["md5", "sha"]}},
        "description": "the account is the one phone_number names, else account_name, "
                       "else account_realm (only the first of them given is used)"},
}

ENVELOPE = {"type": "object", "required": ["data", "status", "request_id"], "properties": {
    "data": {}, "status": {"type": "string", "enum": ["success"]},
    "auth_token": {"type": "string"}, "request_id": {"type": "string"},
    "node": {"type": "string"}, "timestamp": {"type": "string"}, "version": {"type": "string"},
    "revision": {"type": "string"}, "page_size": {"type": "integer"},
    "start_key": {"type": "string"}, "next_start_key": {"type": "string"}}}
ERROR_ENVELOPE = {"type": "object", "required": ["data", "status", "error", "message",
                                                 "error_id", "request_id"], "properties": {
    "data": {"type": "object", "description": "Kazoo validation errors: "
             "{dotted.path: {keyword: {message, target?, value?}}}"},
    "status": {"type": "string", "enum": ["error"]},
    "error": {"type": "string", "description": "the HTTP status code as a string"},
    "message": {"type": "string"}, "error_id": {"type": "string"},
    "request_id": {"type": "string"}, "node": {"type": "string"},
    "timestamp": {"type": "string"}, "version": {"type": "string"},
    "auth_token": {"type": "string"}}}
LIST_PARAMETERS = [
    {"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "start_key", "in": "query", "schema": {"type": "string"}},
    {"name": "paginate", "in": "query", "schema": {"type": "boolean"}},
    {"name": "filter", "in": "query", "style": "form", "explode": True,
     "description": "Kazoo filters: filter_{key}, filter_not_{key}, has_key, key_missing, "
                    "has_value, created_from, created_to, modified_from, modified_to",
     "schema": {"type": "object", "additionalProperties": {"type": "string"}}},
]


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _request_body(kind):
    if kind == RAW_BODY:
        return {"required": True, "content": {
            "audio/*": {"schema": {"type": "string", "format": "binary"}},
            "application/x-base64": {"schema": {   # issue 18: Monster UI's form
                "type": "string", "description": "data:audio/<type>;base64,<data> or bare base64"}},
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}}}}}}
    if kind in ("conferences.action", "conferences.participants.action",
                "conferences.participant.action"):
        schema = {"oneOf": [_ref(kind), {"type": "object", "properties": {"data": _ref(kind)}}]}
    else:
        schema = {"type": "object", "required": ["data"], "properties": {"data": _ref(kind)}}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _responses(status, method, path):
    error = {"content": {"application/json": {"schema": _ref("ErrorEnvelope")}}}
    codes = ["400", "401", "403", "404", "500", "503"]
    if method in ("post", "patch", "delete", "put"):
        codes.append("409")
    if method in ("post", "patch", "put"):
        codes.append("413")   # body over the route's limit (crossbar.body_limits)
    if path.endswith(("/api_auth", "/user_auth")):
        codes.append("429")   # login throttled (crossbar.auth.throttle), with Retry-After
    if "conference" in path and method == "put":
        codes.append("422")
    ok = {"description": "success", "content": {"application/json": {"schema": _ref("Envelope")}}}
    if path.endswith("/raw") and "recordings" in path:
        ok = {"description": "the audio file", "content": {"audio/wav": {"schema": {
            "type": "string", "format": "binary"}}, "audio/mpeg": {"schema": {
                "type": "string", "format": "binary"}}}}
    elif path.endswith("/raw") and "transcripts" in path:
        ok = {"description": "the transcript", "content": {"text/vtt": {"schema": {
            "type": "string"}}, "text/plain": {"schema": {"type": "string"}}}}
    elif (path.endswith("/raw") or "live_media" in path or "recording_playback" in path) \
            and method == "get":
        ok = {"description": "the audio", "content": {"audio/*": {"schema": {
            "type": "string", "format": "binary"}}}}
    if path.endswith("openapi.json"):
        ok = {"description": "this document", "content": {"application/json": {}}}
    result = {status: ok}
    result.update({code: {"description": "error", **error} for code in codes})
    return result


def _operation(method, path, op_id, summary, body, status, tag):
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in _path_names(path)]
    if method == "get" and (path.endswith("s") or path.endswith(("/children", "/descendants"))) \
            and not path.endswith(("/raw", "api_key")):
        params += LIST_PARAMETERS
    operation = {"operationId": op_id, "summary": summary, "tags": [tag], "parameters": params,
                 "responses": _responses(status, method, path)}
    if body:
        operation["requestBody"] = _request_body(body)
    if op_id in PUBLIC:
        operation["security"] = []
    return operation


def _path_names(path):
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def schema_ids():
    """Every JSON schema the document references (stored in ``system_schemas``)."""
    return sorted({op[4] for op in OPERATIONS if op[4] and op[4] not in (RAW_BODY,)}
                  - set(AUTH_BODIES))


def build_document(store=None, version="0.1.0"):
    paths = {}
    for method, path, *rest in OPERATIONS:
        paths.setdefault(path, {})[method] = _operation(method, path, *rest)
    schemas = {"Envelope": ENVELOPE, "ErrorEnvelope": ERROR_ENVELOPE, **AUTH_BODIES}
    for schema_id in schema_ids():
        stored = store.get_or_none(SCHEMAS_DB, schema_id) if store is not None else None
        body = {k: v for k, v in (stored or {"type": "object"}).items()
                if not k.startswith("_") and k != "$schema"}
        schemas[schema_id] = body
    return {
        "openapi": "3.1.0",
        "info": {"title": "crossbar (Kazoo-compatible conference API)", "version": version},
        "servers": [{"url": "/"}],
        "security": [{"AuthToken": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "AuthToken": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"},
            "Bearer": {"type": "http", "scheme": "bearer"}}},
    }

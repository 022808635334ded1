"""The replies of every operation (PURE): Kazoo's success and error envelopes and
the status codes the server answers with (crossbar.errors maps them)."""
from crossbar.media import audio
from crossbar.openapi.components import component_ref

ENVELOPE = {"type": "object", "required": ["data", "status", "request_id"], "properties": {
    "data": {}, "status": {"type": "string", "enum": ["success"]},
    "auth_token": {"type": "string"}, "request_id": {"type": "string"},
    "node": {"type": "string"}, "timestamp": {"type": "string"}, "version": {"type": "string"},
    "revision": {"type": "string"}, "page_size": {"type": "integer"},
    "start_key": {"type": "string"}, "next_start_key": {"type": "string"}}}
ERROR_ENVELOPE = {"type": "object", "required": ["data", "status", "error", "message",
                                                 "error_id", "request_id"], "properties": {
    "data": {"type": "object", "description": "Kazoo validation errors: "
             "{dotted.path: {keyword: {message, target?, value?}}}, else {message, cause?}"},
    "status": {"type": "string", "enum": ["error"]},
    "error": {"type": "string", "pattern": "^[45][0-9][0-9]$",
              "description": "the HTTP status code as a string"},
    "message": {"type": "string"}, "error_id": {"type": "string"},
    "request_id": {"type": "string"}, "node": {"type": "string"},
    "timestamp": {"type": "string"}, "version": {"type": "string"},
    "auth_token": {"type": "string"}}}
SHARED = {"Envelope": ENVELOPE, "ErrorEnvelope": ERROR_ENVELOPE}

ERRORS = {
    "400": "bad input: a validation error ({dotted.path: {keyword: {...}}}) or a bad request",
    "401": "no token, a bad or expired token, or wrong credentials",
    "403": "the token's account may not do this",
    "404": "no such document, or not one of this account's",
    "405": "the path does not take this method (Allow names those it takes)",
    "409": "a stale revision (If-Match), a running room, or a room that is not running",
    "413": "the body is larger than the route's limit",
    "415": "a body of a type the route does not take",
    "422": "FreeSWITCH refused the command",
    "429": "too many failed logins from this address or for this account (Retry-After)",
    "503": "the switch or the store cannot be reached",
}
BINARY = {"type": "string", "format": "binary"}


def _error_reply(code):
    return {"description": ERRORS[code],
            "content": {"application/json": {"schema": component_ref("ErrorEnvelope")}}}


def error_codes(op_id, method, path):
    codes = ["400", "404", "405"]
    if op_id not in ("api_auth", "user_auth", "openapi", "docs", "live_media",
                     "recording_playback"):
        codes += ["401", "403"]
    if method in ("put", "post", "patch", "delete"):
        codes += ["409"]
    if method in ("put", "post", "patch"):
        codes += ["413", "415"]
    if op_id in ("api_auth", "user_auth"):
        codes += ["401", "429"]
    if "/conferences/" in path or path.endswith("/conferences") or "live_media" in path \
            or "recording_playback" in path:
        codes += ["422", "503"]
    return sorted(set(codes))


def success_reply(op_id, path, method):
    if op_id in ("get_recording_raw", "recording_playback"):
        return {"description": "the audio (206 with Range)", "content": {
            audio.WAV: {"schema": BINARY}, audio.MPEG: {"schema": BINARY}}}
    if op_id == "get_transcript_raw":
        return {"description": "the transcript", "content": {
            "text/vtt": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}}}}
    if op_id in ("get_media_raw", "live_media"):
        return {"description": "the audio", "content": {
            audio.WAV: {"schema": BINARY}, audio.MPEG: {"schema": BINARY},
            audio.OCTET_STREAM: {"schema": BINARY}}}
    if op_id == "docs":
        return {"description": "an HTML page", "content": {"text/html": {
            "schema": {"type": "string"}}}}
    if op_id == "openapi":
        return {"description": "this document", "content": {"application/json": {
            "schema": {"type": "object"}}}}
    return {"description": "success: the Kazoo envelope", "content": {
        "application/json": {"schema": component_ref("Envelope")}}}


def for_operation(op_id, method, path, status):
    result = {status: success_reply(op_id, path, method)}
    if op_id in ("get_recording_raw", "recording_playback"):
        result["206"] = {"description": "the requested range of the audio", "content": {
            audio.WAV: {"schema": BINARY}, audio.MPEG: {"schema": BINARY}}}
        result["416"] = {"description": "a Range outside the audio"}
    result.update({code: _error_reply(code) for code in error_codes(op_id, method, path)})
    return result

"""Path and query parameters, as the server reads them (PURE): the bounds come
from the modules that enforce them (crossbar.listing, crossbar.recordings)."""
from crossbar import listing

ID = {"type": "string", "pattern": "^[0-9a-f]{32}$",
      "description": "a 32 hex character document id (any other answers 404)"}
PATH_SCHEMAS = {
    "participant_id": {"type": "string", "pattern": "^([^:/]+:)?0*[1-9][0-9]{0,9}$",
                       "description": "the member id FreeSWITCH gave the participant, "
                                      "<node>:<id> where a room runs on several nodes"},
    "recording_id": {"type": "string", "minLength": 1, "maxLength": 128,
                     "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
    "transcript_id": {"type": "string", "minLength": 1, "maxLength": 128,
                      "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
    "token": {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9_.=-]+$"},
    "name": {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9_.-]+$"},
}


def path_parameter(name):
    return {"name": name, "in": "path", "required": True,
            "schema": dict(PATH_SCHEMAS.get(name, ID))}


def query(name, schema, description):
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


PAGINATION = [
    query("page_size", {"type": "integer", "minimum": 1, "maximum": listing.MAX_PAGE_SIZE},
          f"items per page (default {listing.DEFAULT_PAGE_SIZE}); anything else is a 400"),
    query("start_key", {"type": "string"}, "the next_start_key of the previous page"),
    query("paginate", {"type": "boolean"},
          "false: every item in one reply (true or false; anything else is a 400)"),
]
KEY = {"type": "string"}
FILTERS = [
    query("has_key", KEY, "only documents holding this (dotted) key"),
    query("key_missing", KEY, "only documents without this (dotted) key"),
    query("has_value", KEY, "only documents whose (dotted) key holds a non-empty value"),
    *[query(name, {"type": "integer", "minimum": 0}, "creation / modification time bound "
          "(seconds, as pvt_created / pvt_modified); anything but an integer is a 400")
      for name in listing.RANGE_FILTERS],
]
RECORDING_FILTERS = [
    query("participant_id", {"type": "integer", "minimum": 1}, "one participant's tracks"),
    query("call_id", {"type": "string"}, "one call's tracks"),
    query("kind", {"type": "string", "enum": ["conference", "participant"]},
          "the room's recordings or participants' tracks"),
]
FILTERS_TEXT = ("Kazoo filters: filter_{dotted.key}=value (equal as text, or one of a JSON "
                "list of values), filter_not_{dotted.key}=value, has_key, key_missing, "
                "has_value, created_from/created_to/modified_from/modified_to; other query "
                "parameters are ignored")
BY_OPERATION = {
    "list_recordings": PAGINATION + RECORDING_FILTERS,
    "delete_conference": [query("end", {"type": "boolean"},
                                "true: end a running room first (else 409 while it runs)")],
    "list_participants": [], "list_transcripts": [],
    "get_transcript_raw": [query("format", {"type": "string", "enum": ["vtt", "txt"],
                                            "default": "vtt"}, "WebVTT or plain text")],
}


def path_names(path):
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def for_operation(op_id, method, path):
    """The operation's parameters: its path's, then its query's."""
    params = [path_parameter(name) for name in path_names(path)]
    if op_id in BY_OPERATION:
        return params + BY_OPERATION[op_id]
    if method == "get" and op_id.startswith(("list_", "system_list_")) \
            or op_id in ("account_children", "account_descendants"):
        params += PAGINATION + FILTERS
    return params

"""Kazoo list semantics (pure): ``filter_*`` query parameters and pagination
(``page_size``, ``start_key`` -> ``next_start_key``)."""
import json

from crossbar.documents import get_path, public_view
from kzcore import safejson
from kzcore.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
MAX_BATCH = 200
_MISSING = object()
RANGE_FILTERS = ("created_from", "created_to", "modified_from", "modified_to")
_RANGES = {"created_from": ("pvt_created", 1), "created_to": ("pvt_created", -1),
           "modified_from": ("pvt_modified", 1), "modified_to": ("pvt_modified", -1)}


def is_filter_key(key):
    return key.startswith("filter_") or key in ("has_key", "key_missing", "has_value") \
        or key in _RANGES


def filters_from(args):
    """``[(key, value)]`` for every filter in the query (a MultiDict or dict of lists);
    a time bound that is not an integer is a ValidationFailed (400)."""
    pairs = args.items(multi=True) if hasattr(args, "items") and hasattr(args, "getlist") \
        else args.items()
    filters = [(key, value) for key, value in pairs if is_filter_key(key)]
    for key, value in filters:
        if key in _RANGES and not _digits(value):
            raise ValidationFailed(data={key: {"type": {
                "message": "Value is not of type integer", "target": "integer", "value": value}}})
    return filters


def _as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None or value is _MISSING:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _matches(value, wanted):
    """Kazoo's should_filter: equal as text, or member of a JSON list filter value;
    a list-valued field matches if one element does."""
    candidates = value if isinstance(value, list) else [value]
    try:
        options = safejson.loads(wanted)   # a query string may nest [[[... too
    except ValueError:
        options = None
    options = [_as_text(o) for o in options] if isinstance(options, list) else [wanted]
    return any(_as_text(c) in options for c in candidates)


def _digits(value):
    return isinstance(value, str) and value.isascii() and value.isdigit()


def _timestamp(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def doc_passes(doc, filters):
    """True if the stored ``doc`` satisfies every filter (on its public fields)."""
    if not filters:
        return True
    view = public_view(doc)
    for key, wanted in filters:
        if key in _RANGES:
            field, sign = _RANGES[key]
            stamp, bound = _timestamp(doc.get(field)), _timestamp(wanted)
            if stamp is None or bound is None or (stamp - bound) * sign < 0:
                return False
        elif key.startswith("filter_not_"):
            if _matches(get_path(view, key[len("filter_not_"):], _MISSING), wanted):
                return False
        elif key.startswith("filter_"):
            if not _matches(get_path(view, key[len("filter_"):], _MISSING), wanted):
                return False
        elif key == "has_key" and get_path(view, wanted, _MISSING) is _MISSING:
            return False
        elif key == "key_missing" and get_path(view, wanted, _MISSING) is not _MISSING:
            return False
        elif key == "has_value" and get_path(view, wanted, None) in (None, "", [], {}):
            return False
    return True


def page_request(args):
    """``(page_size or None for all, start_key)`` from the query string."""
    start_key = args.get("start_key") or None
    paginate = args.get("paginate")
    if paginate not in (None, "true", "false"):
        raise ValidationFailed(data={"paginate": {"type": {
            "message": "paginate must be true or false", "target": "boolean",
            "value": paginate}}})
    raw = args.get("page_size")
    size = DEFAULT_PAGE_SIZE if raw is None else int(raw) if _digits(raw) else 0
    if not 1 <= size <= MAX_PAGE_SIZE:   # checked even when paginate=false
        raise ValidationFailed(data={"page_size": {"type": {
            "message": f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}",
            "target": "integer", "value": raw}}})
    return (None if paginate == "false" else size), start_key


def batch_size(page_size, filters, typed=False):
    """Rows to read per store call: about one page when most rows qualify
    (exactly one page plus the next key when the rows are of the listed type)."""
    if page_size is None or filters:
        return MAX_BATCH
    if typed:
        return min(MAX_BATCH, page_size + 1)
    return min(MAX_BATCH, max(2 * (page_size + 1), 20))


def collect_page(fetch, keep, page_size, start_key, batch=200):
    """Walk ``fetch(start_key, limit) -> docs ordered by _id`` from ``start_key``,
    keeping docs for which ``keep(doc)``; returns ``(docs, next_start_key)``."""
    wanted = None if page_size is None else page_size + 1
    kept, cursor, skip_first = [], start_key, False
    while wanted is None or len(kept) < wanted:
        rows = fetch(cursor, batch + (1 if skip_first else 0))
        fresh = rows[1:] if skip_first and rows and rows[0]["_id"] == cursor else rows
        kept.extend(doc for doc in fresh if keep(doc))
        if len(rows) < batch + (1 if skip_first else 0):
            break
        cursor, skip_first = rows[-1]["_id"], True
    if wanted is not None and len(kept) >= wanted:
        return kept[:page_size], kept[page_size]["_id"]
    return kept, None


def page_fields(items, start_key, next_start_key):
    return {"page_size": len(items), "start_key": start_key, "next_start_key": next_start_key}

"""Load the JSON schema files (``schemas/*.json``) into the ``system_schemas`` database.

Each file ``<id>.json`` becomes the document ``_id = <id>``. Services call
``load_schemas(store)`` at start (writes only missing schemas, so edits made in
the database survive restarts); ``kz-schemas load --overwrite`` replaces them.
"""
import json
import logging
import os
import pathlib
import sys

from kzcore.errors import Conflict
from kzcore.naming import SCHEMAS_DB

log = logging.getLogger(__name__)

SCHEMAS_DIR_ENV = "KZ_SCHEMAS_DIR"


def _candidate_dirs():
    package_relative = pathlib.Path(__file__).resolve().parents[2] / "schemas"
    env_dir = os.environ.get(SCHEMAS_DIR_ENV)
    candidates = [pathlib.Path(env_dir)] if env_dir else []
    candidates += [
        package_relative,                                        # source checkout / editable install
        pathlib.Path(sys.prefix) / "share" / "kzconf" / "schemas",  # data_files of an installed wheel
        pathlib.Path.cwd() / "schemas",
    ]
    return candidates, package_relative


def default_schema_dir():
    """The directory holding the schema files: ``$KZ_SCHEMAS_DIR``, the repository's
    ``schemas/``, ``<prefix>/share/kzconf/schemas`` or ``./schemas``; falls back to the
    path relative to the package."""
    candidates, fallback = _candidate_dirs()
    for candidate in candidates:
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    return fallback


def read_schema_files(directory=None):
    """``{schema_id: schema dict}`` for every ``*.json`` file, id = file name minus ``.json``."""
    directory = pathlib.Path(directory) if directory else default_schema_dir()
    schemas = {}
    for path in directory.glob("*.json"):
        with open(path, encoding="utf-8") as handle:
            schemas[path.name[:-len(".json")]] = json.load(handle)
    return dict(sorted(schemas.items()))


def load_schemas(store, directory=None, overwrite=False):
    """Write the schema files into ``system_schemas``. Returns
    ``{"loaded": [ids written], "skipped": [ids left as they were]}``."""
    loaded, skipped = [], []
    for schema_id, schema in read_schema_files(directory).items():
        if _write_schema(store, schema_id, schema, overwrite):
            loaded.append(schema_id)
        else:
            skipped.append(schema_id)
    log.info("schemas loaded", extra={"loaded": loaded, "skipped": skipped,
                                      "overwrite": overwrite})
    return {"loaded": loaded, "skipped": skipped}


def _write_schema(store, schema_id, schema, overwrite):
    existing = store.get_or_none(SCHEMAS_DB, schema_id)
    if existing is not None and not overwrite:
        return False
    doc = dict(schema, _id=schema_id)
    doc.pop("_rev", None)
    if existing is not None:
        doc["_rev"] = existing["_rev"]
    try:
        store.save(SCHEMAS_DB, doc)
    except Conflict:
        # another service wrote it between our read and write: theirs stands
        log.info("schema written concurrently", extra={"schema_id": schema_id})
        return False
    return True

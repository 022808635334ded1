"""Validation against the JSON schemas stored in ``system_schemas``.

Schemas are read from the store, compiled once per revision and re-checked
against the stored ``_rev`` at most every ``refresh_interval`` seconds, so an
edited schema document takes effect without a restart. ``$ref`` by bare id
(``"conferences.profile"``, ``"conferences#/properties/member"``) is resolved
from the same database. Validation fills defaults like Kazoo does.

A small document that passed is remembered with its defaults filled, per
compiled schema (so per revision): the same request body again (a client
muting and unmuting) is answered from that memo, as a fresh copy, instead of
walking the schema again. Validation is a pure function of the schema and the
document, so the answer is the same; documents that fail are not remembered.
"""
import copy
import json
import logging
import time

from jsonschema import Draft4Validator, validators
from referencing import Registry
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT4

from kzcore.errors import NotFound, ValidationFailed
from kzcore.naming import SCHEMAS_DB
from kzcore.schemas.kazoo_errors import errors_to_data

log = logging.getLogger(__name__)

_draft4_properties = Draft4Validator.VALIDATORS["properties"]
MEMO_SIZE = 256          # documents remembered per compiled schema (<= ~0.5 MB)
MEMO_MAX_CHARS = 1024    # larger documents are always validated


def _properties_with_defaults(validator, properties, instance, schema):
    """Draft-04 ``properties`` that first sets missing properties to their
    ``default`` (deep-copied), so defaults are validated and an object created by
    its own default (``member: {}``) receives its nested defaults as well."""
    if validator.is_type(instance, "object"):
        for name, subschema in properties.items():
            if isinstance(subschema, dict) and "default" in subschema and name not in instance:
                instance[name] = copy.deepcopy(subschema["default"])
    yield from _draft4_properties(validator, properties, instance, schema)


def _is_integer(checker, instance):
    """An integer as JSON Schema 2020-12 (the OpenAPI 3.1 dialect crossbar.openapi
    describes the schemas in) says: a number with no fractional part, ``1.0`` too."""
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


DefaultingDraft4Validator = validators.extend(
    Draft4Validator, {"properties": _properties_with_defaults},
    type_checker=Draft4Validator.TYPE_CHECKER.redefine("integer", _is_integer))


def schema_body(doc):
    """A stored schema document without its CouchDB bookkeeping fields."""
    return {key: value for key, value in doc.items()
            if key not in ("_id", "_rev", "_attachments", "_deleted")}


class _Compiled:
    """A compiled validator and the revisions of every schema document it used."""

    def __init__(self, validator, revs, checked_at):
        self.validator = validator
        self.revs = revs
        self.checked_at = checked_at
        self.passed = {}    # the document's JSON -> the validated document's JSON


def _memo_key(doc):
    """The document's JSON text, or None (too large, or not plain JSON data)."""
    try:
        text = json.dumps(doc)
    except (TypeError, ValueError, RecursionError):
        return None
    return text if len(text) <= MEMO_MAX_CHARS else None


class SchemaRegistry:
    def __init__(self, store, refresh_interval=0.0, clock=time.monotonic):
        self._store = store
        self._refresh_interval = float(refresh_interval)
        self._clock = clock
        self._compiled = {}

    # --- public ----------------------------------------------------------
    def get(self, schema_id):
        """The stored schema (``_id`` kept, ``_rev`` dropped); NotFound if missing."""
        doc = self._load(schema_id)
        return dict(schema_body(doc), _id=doc["_id"])

    def validate(self, schema_id, doc, path_prefix=()):
        """A new dict: ``doc`` with defaults filled. Raises ValidationFailed with
        Kazoo's error data (paths prefixed by ``path_prefix``, e.g. ``("data",)``)."""
        compiled = self._current(schema_id)
        key = _memo_key(doc)
        passed = compiled.passed.get(key) if key is not None else None
        if passed is not None:
            return json.loads(passed)
        instance = copy.deepcopy(doc)
        try:
            errors = list(compiled.validator.iter_errors(instance))
        except Unresolvable as exc:
            missing = getattr(exc, "ref", None) or str(exc)
            log.error("schema reference not found",
                      extra={"schema_id": schema_id, "ref": missing})
            raise ValidationFailed(message="validation error", data={
                "schema": {"schema": {"message": "schema not found", "schema": missing}}})
        if errors:
            raise ValidationFailed(message="validation error",
                                   data=errors_to_data(errors, prefix=path_prefix))
        if key is not None:
            if len(compiled.passed) >= MEMO_SIZE:
                compiled.passed.clear()
            compiled.passed[key] = json.dumps(instance)
        return instance

    def forget(self, schema_id=None):
        """Drop cached validators (all, or one schema's)."""
        if schema_id is None:
            self._compiled.clear()
        else:
            self._compiled.pop(schema_id, None)

    # --- caching ---------------------------------------------------------
    def _current(self, schema_id):
        now = self._clock()
        compiled = self._compiled.get(schema_id)
        if compiled is not None:
            if now - compiled.checked_at < self._refresh_interval:
                return compiled
            if self._stored_revs(compiled.revs) == compiled.revs:
                compiled.checked_at = now
                return compiled
            log.info("schema changed in store, recompiling", extra={"schema_id": schema_id})
        compiled = self._compile(schema_id, now)
        self._compiled[schema_id] = compiled
        return compiled

    def _stored_revs(self, revs):
        current = {}
        for schema_id in list(revs):
            doc = self._store.get_or_none(SCHEMAS_DB, schema_id)
            current[schema_id] = doc["_rev"] if doc else None
        return current

    def _compile(self, schema_id, now):
        """``schema_id`` names a stored schema, or a part of one by JSON pointer
        (``conferences.action#/definitions/stop_play``: one action's request)."""
        doc_id, _, fragment = schema_id.partition("#")
        doc = self._load(doc_id)
        revs = {doc_id: doc["_rev"]}
        resources = {doc_id: _resource(doc)}

        def retrieve(uri):
            ref_id = uri.split("#", 1)[0]
            if ref_id not in resources:
                ref_doc = self._store.get_or_none(SCHEMAS_DB, ref_id)
                if ref_doc is None:
                    raise NoSuchResource(ref=uri)
                revs[ref_id] = ref_doc["_rev"]
                resources[ref_id] = _resource(ref_doc)
            return resources[ref_id]

        registry = Registry(retrieve=retrieve).with_resource(doc_id, resources[doc_id])
        root = {"$ref": schema_id} if fragment else _compilable(doc)
        validator = DefaultingDraft4Validator(root, registry=registry)
        return _Compiled(validator, revs, now)

    def _load(self, schema_id):
        doc = self._store.get_or_none(SCHEMAS_DB, schema_id)
        if doc is None:
            raise NotFound(message=f"schema {schema_id} not found",
                           data={"schema": schema_id})
        return doc


def _compilable(doc):
    """The schema without ``$schema``: jsonschema would otherwise switch to the stock
    Draft4Validator (which fills no defaults) when it enters a ``$ref``'d document."""
    body = schema_body(doc)
    body.pop("$schema", None)
    return body


def _resource(doc):
    return DRAFT4.create_resource(_compilable(doc))

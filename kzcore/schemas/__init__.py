"""JSON schemas stored in ``system_schemas``: loading, validation with defaults,
Kazoo-shaped errors.

    load_schemas(store, directory=None, overwrite=False) -> {"loaded": [...], "skipped": [...]}
    SchemaRegistry(store, refresh_interval=0.0).validate(schema_id, doc) -> doc with defaults
"""
from kzcore.schemas.loader import default_schema_dir, load_schemas  # noqa: F401
from kzcore.schemas.registry import SchemaRegistry  # noqa: F401


def public_fields(doc):
    """``doc`` without the fields clients may never set: ``_*`` (``_id``, ``_rev``,
    ``_read_only``...) and ``pvt_*``, as Kazoo's ``kz_doc:public_fields`` does."""
    return {key: value for key, value in doc.items()
            if not (key.startswith("_") or key.startswith("pvt_"))}

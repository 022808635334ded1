"""load_schemas and the kz-schemas command, on the embedded store."""
import json

import pytest

from kzcore.naming import SCHEMAS_DB
from kzcore.schemas.cli import main
from kzcore.schemas.loader import default_schema_dir, load_schemas, read_schema_files
from kzcore.store.embedded import EmbeddedStore


@pytest.fixture
def schema_dir(tmp_path):
    directory = tmp_path / "schemas"
    directory.mkdir()
    for schema_id, maximum in [("alpha", 5), ("beta.gamma", 7)]:
        (directory / f"{schema_id}.json").write_text(json.dumps(
            {"type": "object", "properties": {"n": {"maximum": maximum}}}))
    (directory / "README.txt").write_text("not a schema")
    return directory


@pytest.fixture
def store():
    store = EmbeddedStore(":memory:")
    yield store
    store.close()


def test_file_name_is_the_schema_id(schema_dir):
    assert set(read_schema_files(schema_dir)) == {"alpha", "beta.gamma"}


def test_first_load_writes_every_file(store, schema_dir):
    result = load_schemas(store, schema_dir)
    assert sorted(result["loaded"]) == ["alpha", "beta.gamma"] and result["skipped"] == []
    assert store.get(SCHEMAS_DB, "beta.gamma")["properties"]["n"]["maximum"] == 7


def test_without_overwrite_existing_documents_are_kept(store, schema_dir):
    load_schemas(store, schema_dir)
    doc = store.get(SCHEMAS_DB, "alpha")
    doc["properties"]["n"]["maximum"] = 99
    store.save(SCHEMAS_DB, doc)
    store.delete(SCHEMAS_DB, "beta.gamma", store.get(SCHEMAS_DB, "beta.gamma")["_rev"])
    result = load_schemas(store, schema_dir)
    assert result == {"loaded": ["beta.gamma"], "skipped": ["alpha"]}
    assert store.get(SCHEMAS_DB, "alpha")["properties"]["n"]["maximum"] == 99


def test_overwrite_replaces_existing_documents_carrying_the_rev(store, schema_dir):
    load_schemas(store, schema_dir)
    doc = store.get(SCHEMAS_DB, "alpha")
    doc["properties"]["n"]["maximum"] = 99
    edited_rev = store.save(SCHEMAS_DB, doc)["_rev"]
    result = load_schemas(store, schema_dir, overwrite=True)
    assert sorted(result["loaded"]) == ["alpha", "beta.gamma"]
    reloaded = store.get(SCHEMAS_DB, "alpha")
    assert reloaded["properties"]["n"]["maximum"] == 5 and reloaded["_rev"] != edited_rev


def test_default_dir_is_the_repository_schemas_directory():
    directory = default_schema_dir()
    assert directory.name == "schemas" and (directory / "conferences.json").is_file()


def test_default_dir_honours_environment(monkeypatch, schema_dir):
    monkeypatch.setenv("KZ_SCHEMAS_DIR", str(schema_dir))
    assert default_schema_dir() == schema_dir


def test_cli_loads_into_the_configured_store(tmp_path, monkeypatch, capsys):
    db_file = tmp_path / "store.sqlite3"
    monkeypatch.setenv("KZ_STORE", "embedded")
    monkeypatch.setenv("KZ_STORE_PATH", str(db_file))
    assert main(["load"]) == 0
    first = capsys.readouterr().out
    assert f"loaded {len(read_schema_files())}:" in first and "conferences.dial" in first
    assert main(["load"]) == 0
    assert "loaded 0: -" in capsys.readouterr().out
    assert main(["load", "--overwrite"]) == 0
    assert "skipped 0: -" in capsys.readouterr().out
    store = EmbeddedStore(str(db_file))
    assert store.get(SCHEMAS_DB, "conferences")["properties"]["name"]["maxLength"] == 128
    store.close()


def test_cli_reads_config_file(tmp_path, capsys):
    config = tmp_path / "kz.toml"
    config.write_text(f'store = "embedded"\nstore_path = "{tmp_path / "s.sqlite3"}"\n')
    assert main(["load", "--config", str(config)]) == 0
    assert (tmp_path / "s.sqlite3").exists()


def test_cli_fails_on_bad_configuration(tmp_path, capsys):
    config = tmp_path / "kz.toml"
    config.write_text('store = "floppy"\n')
    assert main(["load", "--config", str(config)]) == 1
    assert "floppy" in capsys.readouterr().err


def test_cli_fails_when_there_are_no_schema_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KZ_STORE_PATH", str(tmp_path / "s.sqlite3"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["load", "--dir", str(empty)]) == 1

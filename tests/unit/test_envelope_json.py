"""``envelope.success_json``: the body written in one pass is the ``success``
envelope, and a computed revision is the md5 of the very data text it carries."""
import hashlib
import json

from crossbar import envelope

META = {"request_id": "req-1", "node": "crossbar@test", "version": "9.9", "auth_token": "tok"}
DATA = [{"name": "b", "id": "2", "members": 3}, {"id": "1", "name": "a", "when": {"z": 1, "a": 2}}]


def without_timestamp(body):
    return {key: value for key, value in body.items() if key != "timestamp"}


def test_the_text_is_the_success_envelope():
    page = {"page_size": 2, "start_key": None, "next_start_key": "k"}
    text = envelope.success_json(DATA, meta=META, page=page)
    assert without_timestamp(json.loads(text)) == \
        without_timestamp(envelope.success(DATA, meta=META, page=page))
    assert list(json.loads(text))[:2] == ["data", "status"]


def test_a_computed_revision_is_the_md5_of_the_data_text_sent():
    text = envelope.success_json(DATA, meta=META)
    body = json.loads(text)
    data_text = text[len('{"data":'):text.index(',"status":')]
    assert json.loads(data_text) == DATA
    assert body["revision"] == hashlib.md5(data_text.encode()).hexdigest()
    assert body["revision"] == envelope.data_revision(DATA)


def test_a_given_revision_is_kept_and_the_data_keeps_its_order():
    text = envelope.success_json({"z": 1, "a": 2}, meta=META, revision="3-abc")
    assert text.startswith('{"data":{"z":1,"a":2},') and json.loads(text)["revision"] == "3-abc"


def test_values_json_cannot_write_are_written_as_text():
    body = json.loads(envelope.success_json({"when": b"x"}, meta=META))
    assert body["data"] == {"when": "b'x'"}

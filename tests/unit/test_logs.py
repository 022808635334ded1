"""kzcore.logs: JSON lines with the ``extra`` fields, and gevent's report of a
greenlet that died with an exception routed through logging (one JSON line)
instead of a multi-line traceback on stderr."""
import io
import json
import logging

import gevent
import pytest
from gevent.hub import Hub

from kzcore.logs import setup_logging


@pytest.fixture
def json_log():
    """setup_logging into a buffer; the root logger and gevent's hub restored after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, Hub.print_exception)
    buffer = io.StringIO()
    setup_logging("INFO", "json", stream=buffer)
    yield buffer
    root.handlers[:], level, Hub.print_exception = saved
    root.setLevel(level)


def lines(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_records_are_json_lines_with_their_fields(json_log):
    logging.getLogger("kz.test").warning("node lost", extra={"node": "fs1", "retry_in": 0.5})
    [record] = lines(json_log)
    assert (record["level"], record["logger"], record["msg"]) == ("warning", "kz.test", "node lost")
    assert (record["node"], record["retry_in"]) == ("fs1", 0.5) and record["ts"].endswith("Z")


def test_a_greenlet_that_dies_is_one_json_record(json_log, capfd):
    def fails():
        raise ValueError("boom\nsecond line")
    gevent.spawn(fails).join()
    [record] = lines(json_log)
    assert (record["logger"], record["level"], record["msg"]) == ("gevent.hub", "error",
                                                                  "greenlet failed")
    assert record["error"] == "ValueError: boom\nsecond line" and "fails" in record["context"]
    assert "Traceback" in record["exc"] and capfd.readouterr().err == ""

"""The HTTP floor of bench/actions.py: a WSGI app that reads the request body and
answers 202 with a fixed envelope of the size a member action's answer has,
doing nothing else. Served by the same gunicorn command as crossbar, its CPU per
request is what the server and the WSGI call cost before any of crossbar's code:
the part of "server CPU per action" that no change to crossbar can remove."""
import json

BODY = json.dumps({"data": "+OK mute 12", "status": "success", "auth_token": "x" * 180,
                   "request_id": "0" * 32, "node": "crossbar@bench", "version": "0.1.0",
                   "timestamp": "2026-12-06T00:00:00Z", "revision": "0" * 32},
                  separators=(",", ":")).encode()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY))),
           ("X-Request-Id", "0" * 32), ("Cache-Control", "no-store")]


def application(environ, start_response):
    environ["wsgi.input"].read()
    start_response("202 ACCEPTED", HEADERS)
    return [BODY]

"""Member actions answered before Flask: ``PUT /v2/accounts/{account_id}/conferences/
{conference_id}/participants/{participant_id}``, the route of
crossbar.conferences.views.participant_action.

Why: member actions are live control's hot path (mute/unmute at call-centre
rates), and Flask's request machinery (routing, contexts, hooks, the Response
object) cost more CPU than the action itself (bench/RESULTS.md, issue 16). This
WSGI layer does what the route does with the same functions: the token
(guard.authenticate, guard.refusal), the body (safejson, action_requests.parse),
the command ledger and the action (participants.run_participant_action), the
envelope, the error mapping (crossbar.errors), the headers, the metrics
(RequestStats.observe) and the access log line.

It takes only what it knows will reach the action: a request Flask would refuse
before the action runs (no token or a bad one, another account, a privilege
refusal, a body that is not a JSON object, no Content-Length or one over the
limit, a trailing slash, a non-ASCII path...) is handed to Flask with its body
put back, and Flask answers it as it always has. Once the action has run, its
errors are answered here. ``KZ_HTTP_FAST_ACTIONS=false`` turns it off; the tests
send every case both ways (tests/integration/test_fast_actions.py).
"""
import io
import re
import time

from werkzeug.http import HTTP_STATUS_CODES

from crossbar import action_requests, envelope
from crossbar.auth.guard import authenticate, refusal, token_from
from crossbar.body_limits import limit_for
from crossbar.context import EXTENSION, RequestContext, request_id_from
from crossbar.errors import domain_failure, unexpected_failure
from crossbar.observability import STATS_KEY, log_request
from crossbar.participants.service import run_participant_action
from crossbar.responses import API_CACHE_CONTROL
from kzcore import safejson
from kzcore.errors import KzError

ENDPOINT = "api.conferences.participant_action"
PATH = re.compile(r"/v2/accounts/([^/]+)/conferences/([^/]+)/participants/([^/]+)")
VIEW_ARGS = ("account_id", "conference_id", "participant_id")


def declared_length(environ, limit):
    """The body's declared length when it is at most ``limit`` bytes, else None
    (none declared: chunked, for Flask to count) (PURE)."""
    text = environ.get("CONTENT_LENGTH")
    if not (text and text.isdigit()):
        return None
    length = int(text)
    return length if length <= limit else None


def status_line(code):
    """The status line werkzeug writes for ``code`` (PURE)."""
    return f"{code} {HTTP_STATUS_CODES[code].upper()}"


class FastMemberActions:
    """WSGI: member actions here, everything else (and every early refusal) to ``flask_wsgi``."""

    def __init__(self, app, flask_wsgi, route):
        self.app, self.flask_wsgi, self.route = app, flask_wsgi, route
        self.services = app.extensions[EXTENSION]
        self.limit = limit_for(ENDPOINT, self.services.config)

    @classmethod
    def around(cls, app, flask_wsgi):
        """The layer, or ``flask_wsgi`` itself when the app has no such route."""
        rules = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint == ENDPOINT]
        return cls(app, flask_wsgi, rules[0]) if rules else flask_wsgi

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        match = PATH.fullmatch(path) if environ.get("REQUEST_METHOD") == "PUT" else None
        length = declared_length(environ, self.limit) if match and path.isascii() else None
        if length is None:
            return self.flask_wsgi(environ, start_response)
        started = time.perf_counter()
        body = environ["wsgi.input"].read(length)
        accepted = self._accepted(environ, match.groups(), body)
        if accepted is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.flask_wsgi(environ, start_response)
        return self._answer(environ, start_response, started, *accepted)

    def _accepted(self, environ, ids, body):
        """``(view_args, claims, token, ActionRequest)``, or None for Flask to answer."""
        token = token_from(environ.get("HTTP_X_AUTH_TOKEN"), environ.get("HTTP_AUTHORIZATION"))
        view_args = dict(zip(VIEW_ARGS, ids))
        try:
            claims, principal = authenticate(self.app, token)
            if refusal(self.app, claims, principal, ENDPOINT, view_args) is not None:
                return None
            parsed = safejson.loads(body)
        except Exception:      # Flask meets the same error and answers it
            return None
        if not isinstance(parsed, dict):
            return None
        return view_args, claims, token, action_requests.parse(parsed)

    def _answer(self, environ, start_response, started, view_args, claims, token, request):
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        meta = {"request_id": request_id, "node": self.services.node,
                "version": self.services.version, "auth_token": token}
        ctx = RequestContext(self.services, claims, request_id, token)
        headers = []
        try:
            data, status, replayed = run_participant_action(
                ctx, view_args["account_id"], view_args["conference_id"],
                view_args["participant_id"], request)
            text = envelope.success_json(data, meta=meta)
            if replayed:
                headers.append(("X-Command-Replayed", "true"))
        except KzError as error:
            replayed = False
            status, message, error_id, data, extra = domain_failure(error)
            text = envelope.error_json(status, message, error_id, meta=meta, data=data)
            headers.extend(extra.items())
        except Exception as error:      # as Flask's handler: logged, a 500 envelope
            replayed = False
            status, message, error_id = unexpected_failure(error)
            text = envelope.error_json(status, message, error_id, meta=meta)
        payload = text.encode("utf-8")
        start_response(status_line(status), [
            ("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
            *headers, ("X-Request-Id", request_id), ("Cache-Control", API_CACHE_CONTROL)])
        stats = self.app.extensions.get(STATS_KEY)
        if stats is not None:
            stats.observe("PUT", self.route, ENDPOINT, status, time.perf_counter() - started,
                          request.action, replayed)
        log_request(request_id, "PUT", environ.get("PATH_INFO"), status, started,
                    claims.get("account_id"))
        return [payload]

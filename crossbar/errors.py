"""The one place that maps domain errors (kzcore.errors) to HTTP status codes,
and the Flask handlers that render every failure as a Kazoo error envelope."""
import logging

from werkzeug.exceptions import HTTPException

from kzcore import errors as kz

log = logging.getLogger(__name__)

# Most specific first: the first matching class wins.
STATUS_BY_ERROR = (
    (kz.InvalidCommandArgument, 400),
    (kz.ValidationFailed, 400),
    (kz.BadRequest, 400),
    (kz.Unauthorized, 401),
    (kz.Forbidden, 403),
    (kz.NotFound, 404),
    (kz.Conflict, 409),
    (kz.NotRunning, 409),
    (kz.SwitchRefused, 422),
    (kz.TooManyAttempts, 429),
    (kz.SwitchUnavailable, 503),
    (kz.StoreUnavailable, 503),
)

# werkzeug's routing/parsing errors, as Kazoo-style ids.
HTTP_ERROR_IDS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                  413: "request_too_large", 415: "unsupported_media_type"}
HTTP_MESSAGES = {404: "not found", 405: "method not allowed"}


def status_for(error):
    for kind, status in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return 500


def error_data(error):
    """Kazoo puts the message in ``data`` too, except for validation errors whose
    ``data`` maps field paths to failures."""
    data = error.data if isinstance(error.data, dict) else {"cause": error.data}
    if isinstance(error, kz.ValidationFailed) or "message" in data:
        return data
    return {"message": error.message, **data}


def domain_failure(error):
    """``(status, message, error_id, data, extra headers)`` of a domain error (logs
    the unmapped ones); Flask's handler and crossbar.fast_actions render it."""
    status = status_for(error)
    if status == 500:
        log.error("unmapped domain error", exc_info=error, extra={"error_id": error.error_id})
    headers = {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return status, error.message, error.error_id, error_data(error), headers


def unexpected_failure(error):
    """What any other exception is answered with (logged with its traceback)."""
    log.exception("unexpected error", exc_info=error,
                  extra={"error_type": type(error).__name__})
    return 500, "internal server error", "internal_error"


def register_error_handlers(app, respond_error):
    """``respond_error(code, message, error_id, data=None) -> Response``."""

    @app.errorhandler(kz.KzError)
    def _domain_error(error):
        status, message, error_id, data, headers = domain_failure(error)
        response = respond_error(status, message, error_id, data)
        response.headers.update(headers)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error):
        code = error.code or 500
        message = HTTP_MESSAGES.get(code) or (error.description or error.name).strip()
        response = respond_error(code, message, HTTP_ERROR_IDS.get(code, "http_error"))
        if code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(Exception)
    def _unexpected(error):
        return respond_error(*unexpected_failure(error))

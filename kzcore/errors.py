"""Domain errors shared by every service.

They carry a stable ``error_id`` and optional ``data`` but no HTTP status: the
crossbar error handlers are the only place that maps them to HTTP codes.
"""
import math


class KzError(Exception):
    """Base of every error the services report to a caller."""

    error_id = "internal_error"
    default_message = "internal error"

    def __init__(self, message=None, data=None):
        self.message = message or self.default_message
        self.data = data if data is not None else {}
        super().__init__(self.message)


class BadRequest(KzError):
    error_id = "bad_request"
    default_message = "bad request"


class ValidationFailed(KzError):
    """``data`` is Kazoo's ``{"dotted.path": {"keyword": {"message", ...}}}``."""

    error_id = "validation_error"
    default_message = "validation error"


class InvalidCommandArgument(ValidationFailed):
    """A value that would be unsafe or meaningless in a FreeSWITCH command."""

    error_id = "invalid_command_argument"


class Unauthorized(KzError):
    error_id = "invalid_credentials"
    default_message = "invalid credentials"


class Forbidden(KzError):
    error_id = "forbidden"
    default_message = "forbidden"


class NotFound(KzError):
    error_id = "not_found"
    default_message = "bad identifier"


class Conflict(KzError):
    error_id = "conflict"
    default_message = "conflicting document revision"


class DatabaseMissing(NotFound):
    error_id = "database_missing"
    default_message = "database does not exist"


class NotRunning(KzError):
    """The conference exists as a document but is not running on any node."""

    error_id = "conference_not_running"
    default_message = "conference is not running"


class SwitchRefused(KzError):
    """FreeSWITCH answered ``-ERR ...`` or usage text; ``message`` is its text."""

    error_id = "switch_refused"
    default_message = "FreeSWITCH refused the command"


class SwitchUnavailable(KzError):
    """No connection to the node, or no reply within the timeout."""

    error_id = "switch_unavailable"
    default_message = "FreeSWITCH is unreachable"


class StoreUnavailable(KzError):
    error_id = "datastore_unavailable"
    default_message = "document store is unreachable"


class TooManyAttempts(KzError):
    """Too many failed attempts (logins): try again after ``retry_after`` seconds."""

    error_id = "too_many_requests"
    default_message = "too many failed attempts; try again later"

    def __init__(self, retry_after, message=None, data=None):
        self.retry_after = max(1, math.ceil(retry_after))  # whole seconds (HTTP)
        super().__init__(message, {"retry_after": self.retry_after, **(data or {})})

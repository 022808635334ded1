"""Request body limits per route, decided before the body is read.

``apply_body_limit`` (an app ``before_request`` hook, so it runs before the token
check) picks the route's limit: small for the unauthenticated login endpoints,
large for media uploads, ``KZ_HTTP_MAX_BODY`` elsewhere. A declared
``Content-Length`` above it is refused at once (413); a chunked body is counted
while it is read and refused (413) as soon as it goes past the limit.
``BodyLimitedRequest`` is the request class that does the counting: werkzeug's
own stream stops at the limit and returns what it read, which would hand a
truncated body to the view (a 400 for JSON, a cut file for media).
"""
from flask import Request, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

from crossbar.context import services

AUTH_ENDPOINTS = frozenset({"api.auth.api_auth", "api.auth.user_auth"})
MEDIA_ENDPOINTS = frozenset({"api.media.media_raw_upload"})


def limit_for(endpoint, config):
    """The body limit in bytes for a route's endpoint name (pure)."""
    if endpoint in AUTH_ENDPOINTS:
        return config.http_max_auth_body
    if endpoint in MEDIA_ENDPOINTS:
        return config.http_max_media_body
    return config.http_max_body


def too_large(limit):
    return RequestEntityTooLarge(f"request body too large: at most {limit} bytes here")


def apply_body_limit():
    """App ``before_request`` hook: set this request's limit, refuse a declared
    length above it before anything reads the body."""
    here = request._get_current_object()     # one context lookup, not four
    limit = limit_for(here.endpoint, services().config)
    here.max_content_length = limit
    length = here.content_length
    if length is not None and length > limit:
        raise too_large(limit)


class BoundedStream(LimitedStream):
    """A body without Content-Length, read at most up to ``limit`` bytes: reaching
    the limit with more data pending raises 413 (one byte is read to know)."""

    def __init__(self, stream, limit):
        super().__init__(stream, limit, is_max=True)
        self._source = stream

    def on_exhausted(self):
        if self._source.read(1):
            raise too_large(self.limit)

    def readall(self):
        data = super().readall()
        if self.is_exhausted:
            self.on_exhausted()
        return data


class BodyLimitedRequest(Request):
    @cached_property
    def stream(self):
        limit = self.max_content_length
        if self.content_length is None and limit is not None \
                and self.environ.get("wsgi.input_terminated"):
            return BoundedStream(self.environ["wsgi.input"], limit)
        return super().stream

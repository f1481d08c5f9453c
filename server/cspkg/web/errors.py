"""One error shape for the API (JSON), one error page for people (HTML); never a traceback."""

from __future__ import annotations

import logging

from flask import Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import BadInput, CspkgError, QueryEngineFault, QueryUnavailable, StoreMissing

log = logging.getLogger("cspkg.web")


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > request.accept_mimetypes["application/json"]


def error_response(status: int, message: str, headers: dict | None = None) -> Response:
    if wants_html():
        response = Response(render_template("error.html", status=status, message=message), status=status, mimetype="text/html")
    else:
        response = jsonify({"ok": False, "status": status, "error": message})
        response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def register(app) -> None:
    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return error_response(err.status, err.message, err.headers)

    @app.errorhandler(BadInput)
    def bad_input(err: BadInput):
        return error_response(503 if isinstance(err, StoreMissing) else 400, str(err))

    @app.errorhandler(QueryUnavailable)
    def unavailable(err: QueryUnavailable):  # too slow, too large, or every query process busy
        return error_response(503, str(err), {"Retry-After": str(err.retry_after)} if err.retry_after else None)

    @app.errorhandler(QueryEngineFault)
    def engine_fault(err: QueryEngineFault):  # well-formed, but the engine cannot evaluate it
        log.warning("query engine fault: %s", err)
        return error_response(422, str(err))

    @app.errorhandler(CspkgError)
    def internal(err: CspkgError):
        log.error("query failed: %s", err)
        return error_response(500, "internal error while answering the query")

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        messages = {404: f"nothing here: {request.path}", 405: f"method {request.method} is not allowed on {request.path}",
                    413: "the request body is larger than this server accepts"}
        headers = {"Allow": err.get_response().headers["Allow"]} if err.code == 405 else None
        return error_response(err.code or 500, messages.get(err.code, err.description or err.name), headers)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unexpected error")
        return error_response(500, "internal error")

"""Access to the app's shared objects from a request."""

from __future__ import annotations

from flask import current_app, g, has_request_context


def settings():
    return current_app.extensions["cspkg"]["settings"]


def runner():
    """The query runner; within an HTTP request, one pinned to the build the request first read, so
    every query of the request (and its ETag and cache keys) sees that one build."""
    shared = current_app.extensions["cspkg"]["runner"]
    if not has_request_context():
        return shared
    if "cspkg_runner" not in g:
        g.cspkg_runner = shared.pinned()
    return g.cspkg_runner


def catalogue():
    return current_app.extensions["cspkg"]["catalogue"]


def cache() -> dict:
    return current_app.extensions["cspkg"]["cache"]

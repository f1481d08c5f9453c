"""Access to the app's shared objects from a request."""

from __future__ import annotations

from flask import current_app


def settings():
    return current_app.extensions["cspkg"]["settings"]


def runner():
    return current_app.extensions["cspkg"]["runner"]


def catalogue():
    return current_app.extensions["cspkg"]["catalogue"]


def cache() -> dict:
    return current_app.extensions["cspkg"]["cache"]

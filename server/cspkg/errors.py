"""Errors a user can act on, each with the exit code the CLI returns for it."""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


class CspkgError(Exception):
    """An error with a message fit for a user: it says what went wrong and where."""

    exit_code = EXIT_INTERNAL


class BadInput(CspkgError):
    """Input the user can fix: a syntax error, a missing file, a malformed query."""

    exit_code = EXIT_BAD_INPUT


class NotConforming(CspkgError):
    """The data has SHACL violations."""

    exit_code = EXIT_NOT_CONFORMING


class StoreMissing(BadInput):
    """No built store where one was expected."""

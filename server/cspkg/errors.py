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


class StoreUnavailable(StoreMissing):
    """The remote store cannot be reached, refuses us, or is not set up as cspkg needs."""


class QueryUnavailable(CspkgError):
    """The query was not answered for a reason of capacity (503); retry_after: seconds, or None."""

    exit_code = 3
    retry_after: int | None = 1


class QueryTimeout(QueryUnavailable):
    pass


class QueryTooLarge(QueryUnavailable):
    retry_after = None  # the same query would need the same memory again


class QueryBusy(QueryUnavailable):
    pass


class QueryEngineFault(CspkgError):
    """The engine itself stopped on a query (a panic in Oxigraph, e.g. ORDER BY over some mixes of
    terms): the query is the trigger and retrying it will not help, so it is answered 422."""

    exit_code = 3

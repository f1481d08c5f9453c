"""Settings, from `CSPKG_*` environment variables (every one listed in docs/settings.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import BadInput
from .sources import REPO


@dataclass(frozen=True)
class Settings:
    store: Path = REPO / "store"  # CSPKG_STORE: the built store folder
    query_timeout: float = 5.0  # CSPKG_QUERY_TIMEOUT: seconds a query may run before it is stopped
    max_rows: int = 10_000  # CSPKG_MAX_ROWS: rows (or triples) a query may return
    max_body: int = 1_000_000  # CSPKG_MAX_BODY: bytes a request body may hold
    host: str = "127.0.0.1"  # CSPKG_HOST: address `cspkg serve` listens on
    port: int = 8000  # CSPKG_PORT: port `cspkg serve` listens on
    workers: int = 4  # CSPKG_WORKERS: gunicorn worker processes
    threads: int = 32  # CSPKG_THREADS: threads per worker (gunicorn gthread); a slow client holds a thread, not a worker
    query_processes: int = 2  # CSPKG_QUERY_PROCESSES: query processes per worker (so workers x this in all)
    build_memory: int = 2048  # CSPKG_BUILD_MEMORY: MB a full build may use for an in-memory copy of its new store, read while it is finished (0: read it on disk)
    query_memory: int = 1024  # CSPKG_QUERY_MEMORY: MB of memory one query process may use (0: no limit)
    query_wait: float = 5.0  # CSPKG_QUERY_WAIT: seconds a request waits for a free query process before a 503 "busy"
    sandbox: str = "on"  # CSPKG_SANDBOX: on (query processes cannot open network connections) or off (only where libseccomp is missing)
    public_base: str = ""  # CSPKG_PUBLIC_BASE: the URL the namespace https://w3id.org/cspkg/ is served at (default: the request's host, when allowed)
    allowed_hosts: str = ""  # CSPKG_ALLOWED_HOSTS: comma-separated Host names (or name:port) links may be built from, besides loopback and the bind address
    licence: str = ""  # CSPKG_LICENCE: the licence IRI the publisher gives the data (none is assumed)
    cache_size: int = 512  # CSPKG_CACHE_SIZE: answers kept in the cache every worker shares (0: no cache)
    cache_file: str = ""  # CSPKG_CACHE_FILE: the SQLite file of that cache (default: answers-cache.sqlite in CSPKG_STORE)
    data: Path = REPO / "data"  # CSPKG_DATA: the data folder uploads write plan files into
    write_token: str = ""  # CSPKG_WRITE_TOKEN: the bearer token that allows plan uploads (empty: writes are off)
    tokens_file: Path = REPO / "write-tokens"  # CSPKG_TOKENS_FILE: hashes of write tokens scoped to one partnership (`cspkg token`)
    max_upload: int = 20_000_000  # CSPKG_MAX_UPLOAD: bytes an uploaded plan may hold
    backend: str = "embedded"  # CSPKG_BACKEND: embedded (the on-disk store in CSPKG_STORE) or remote (a SPARQL 1.1 store)
    sparql_query: str = ""  # CSPKG_SPARQL_QUERY: the remote store's SPARQL query endpoint
    sparql_update: str = ""  # CSPKG_SPARQL_UPDATE: its SPARQL Update endpoint (needed by `cspkg build`)
    sparql_gsp: str = ""  # CSPKG_SPARQL_GSP: its Graph Store Protocol endpoint (optional: `cspkg build` then PUTs each graph)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"CSPKG_{f.name.upper()}")
            if raw is None:
                continue
            try:
                values[f.name] = _cast(f.default, raw)
            except ValueError:
                raise BadInput(f"CSPKG_{f.name.upper()}={raw!r}: expected {type(f.default).__name__}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if settings.backend not in ("embedded", "remote"):
            raise BadInput(f"CSPKG_BACKEND={settings.backend!r}: expected embedded or remote")
        if settings.sandbox not in ("on", "off"):
            raise BadInput(f"CSPKG_SANDBOX={settings.sandbox!r}: expected on or off")
        if settings.query_processes < 1 or settings.threads < 1:
            raise BadInput("CSPKG_QUERY_PROCESSES and CSPKG_THREADS must be at least 1")
        if settings.backend == "remote" and not settings.sparql_query:
            raise BadInput("CSPKG_BACKEND=remote needs CSPKG_SPARQL_QUERY, the store's SPARQL query endpoint")
        return settings

    @property
    def cache_path(self) -> Path:
        return Path(self.cache_file) if self.cache_file else self.store / "answers-cache.sqlite"

    def to_env(self) -> dict[str, str]:
        return {f"CSPKG_{f.name.upper()}": str(getattr(self, f.name)) for f in fields(self)}


def _cast(default, raw: str):
    if isinstance(default, Path):
        return Path(raw)
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes")
    return type(default)(raw)

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


def cache():
    """The answer cache every worker shares (answers/cache.py)."""
    return current_app.extensions["cspkg"]["cache"]


def cached(parts):
    """An answer kept for the build this request reads, or None (the cache every worker shares)."""
    return cache().get(runner().build_id(), parts)


def remember(parts, value):
    """Keep an answer for the build this request reads, in the cache every worker shares."""
    return cache().put(runner().build_id(), parts, value)


LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}
WILDCARD = {"", "0.0.0.0", "::", "[::]"}


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _split(host: str) -> tuple[str, str]:
    """A Host header's name and port ("" when none); the name lower-cased, an IPv6 address in brackets."""
    name, port = host, ""
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[: end + 1], host[end + 1:]
        port = rest[1:] if rest.startswith(":") else rest
    elif host.count(":") == 1:
        name, port = host.split(":")
    return name.lower(), port


def known_host(host: str) -> bool:
    """Whether a Host header names this server: loopback, the address it is bound to, or one of
    CSPKG_ALLOWED_HOSTS (a name alone allows any port; name:port only that port)."""
    name, port = _split(host)
    if not name or (port and not (port.isascii() and port.isdigit())):
        return False
    bound = _bracket(settings().host.lower())
    if name in LOOPBACK or (bound not in WILDCARD and name == bound):
        return True
    allowed = {_split(h.strip()) for h in settings().allowed_hosts.split(",") if h.strip()}
    return (name, "") in allowed or (name, port) in allowed


def bind_url() -> str:
    """The address `cspkg serve` listens on, as a URL (loopback when it listens on every address)."""
    host = settings().host
    return f"http://{'127.0.0.1' if host in WILDCARD else _bracket(host)}:{settings().port}"


def base_url() -> str:
    """Where links and redirects point: CSPKG_PUBLIC_BASE when set; else the request's own host when
    it is a known one (see known_host), else the bind address. Never an unchecked Host header."""
    from flask import request

    if settings().public_base:
        return settings().public_base.rstrip("/")
    if known_host(request.host):
        return f"{request.scheme}://{request.host}"
    return bind_url()


def public(path: str) -> str:
    """The absolute URL of a path on this server (see base_url)."""
    return base_url() + path

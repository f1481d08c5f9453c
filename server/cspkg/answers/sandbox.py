"""The query process's sandbox: no network (seccomp), only the remote store's endpoints (an audit hook),
and a memory limit (an rlimit). Installed in the query child before it opens a store or reads a request.

Why each part:
- pyoxigraph runs SPARQL `SERVICE` over HTTP and cannot be told not to. The web layer refuses such
  queries; this is the second wall. With the embedded backend a seccomp filter makes socket() fail
  with EPERM for every address family, Unix sockets too (nothing may reach a local service either;
  the pipe to the worker is a socketpair the parent made), and io_uring_setup/enter/register fail too (io_uring can open and connect sockets without the
  socket() call). The filter is set with PR_SET_NO_NEW_PRIVS, so it needs no privileges, covers every
  thread (TSYNC) and is inherited by anything the child starts. A syscall of another architecture
  (the 32-bit socketcall() route) kills the process: libseccomp's default for foreign arches.
- The remote backend needs TCP to its store, and seccomp cannot see addresses. Its queries go through
  Python's socket module (SPARQLWrapper/urllib), so a Python audit hook allows `socket.connect`,
  `socket.getaddrinfo` and `socket.sendto` only to the configured endpoints' host and port. That
  hook does not see native code that calls connect() itself; such code would have to be reached
  through the engine, which in the remote child is not Oxigraph but the remote store's own server.
  Every other family (Unix, netlink, packet) and io_uring are denied by seccomp there too.
- RLIMIT_DATA bounds the process's private writable memory (heap, anonymous maps), so a query that
  builds huge intermediate results fails its allocation (Rust aborts, Python raises MemoryError)
  instead of taking the machine's memory. RLIMIT_AS would also count RocksDB's file maps, thread
  stacks and the allocator's reserved arenas, which are large and mostly untouched.
"""

from __future__ import annotations

import errno
import resource
import socket
import sys
from urllib.parse import urlsplit

from ..errors import EXIT_BAD_INPUT, CspkgError


class SandboxUnavailable(CspkgError):
    exit_code = EXIT_BAD_INPUT  # the machine's setup, which the user can fix


def _seccomp():
    try:
        import pyseccomp
    except (ImportError, OSError, RuntimeError) as err:  # the package, or libseccomp.so.2, is missing
        raise SandboxUnavailable(
            f"the query sandbox needs libseccomp (Debian package libseccomp2) and the Python package pyseccomp: {err}. "
            "Install them, or set CSPKG_SANDBOX=off to serve without a network sandbox (not for a public service)") from None
    return pyseccomp


def check_available(settings) -> None:
    """At `cspkg serve` start: fail loudly, before any worker starts, if the sandbox cannot be set up."""
    if settings.sandbox == "off":
        return
    seccomp = _seccomp()
    try:
        seccomp.SyscallFilter(seccomp.ALLOW)  # loads libseccomp and makes (but does not load) a filter
    except Exception as err:
        raise SandboxUnavailable(f"the query sandbox cannot be set up: {err}; set CSPKG_SANDBOX=off to serve without it") from None


def deny_network(allow_inet: bool) -> None:
    """Load the seccomp filter into this process: socket() fails with EPERM for every family (but
    AF_INET/AF_INET6 when `allow_inet`, for the remote backend); io_uring fails with EPERM.
    socketpair() is left alone: it makes only connected Unix pairs, which reach nothing."""
    seccomp = _seccomp()
    deny = seccomp.ERRNO(errno.EPERM)
    f = seccomp.SyscallFilter(seccomp.ALLOW)
    f.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, should any exist already
    allowed = {socket.AF_INET, socket.AF_INET6} if allow_inet else set()
    # One equality rule per denied family (libseccomp ORs them), and every number past the known ones.
    for family in range(64):
        if family not in allowed:
            f.add_rule(deny, "socket", seccomp.Arg(0, seccomp.EQ, family))
    f.add_rule(deny, "socket", seccomp.Arg(0, seccomp.GE, 64))
    for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
        f.add_rule(deny, call)
    f.load()


def endpoints(settings) -> set[tuple[str, int]]:
    """(host, port) of each configured remote endpoint."""
    found = set()
    for url in (settings.sparql_query, settings.sparql_update, settings.sparql_gsp):
        if url:
            parts = urlsplit(url)
            found.add(((parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)))
    return found


def allow_only(allowed: set[tuple[str, int]]) -> None:
    """An audit hook: Python-level connects, lookups and datagrams only to `allowed` (host, port) pairs,
    or to the addresses those hosts resolve to (resolved here, once, before the hook is set)."""
    addresses = set()
    for host, port in allowed:
        for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
            addresses.add((info[4][0], port))
    hosts = {host for host, _ in allowed} | {addr for addr, _ in addresses}
    ports = {port for _, port in allowed}

    def hook(event: str, args) -> None:
        if event == "socket.getaddrinfo":
            host, port = args[0], args[1]
            host = host.decode() if isinstance(host, bytes) else host
            port = port.decode() if isinstance(port, bytes) else port
            if (host or "").lower() not in hosts or (port is not None and str(port) not in {str(p) for p in ports}):
                raise PermissionError(errno.EPERM, f"the query process may look up only its store's endpoint, not {host}:{port}")
        elif event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"):
            sock, address = args[0], args[1] if len(args) > 1 else None
            if sock.family == socket.AF_UNIX or (address is None and event != "socket.bind"):
                return  # a Unix pair, or a send on a socket whose connect() was checked
            if event == "socket.bind" or not isinstance(address, tuple) or (address[0].lower(), int(address[1])) not in addresses | allowed:
                raise PermissionError(errno.EPERM, f"the query process may connect only to its store's endpoint, not {address}")

    sys.addaudithook(hook)


def limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def install(settings) -> None:
    """Everything above, for the settings' backend; a no-op for the network part when CSPKG_SANDBOX=off."""
    if settings.sandbox != "off":
        remote = settings.backend == "remote"
        if remote:
            allow_only(endpoints(settings))
        deny_network(allow_inet=remote)
    limit_memory(settings.query_memory)

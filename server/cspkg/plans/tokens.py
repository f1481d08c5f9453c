"""Write tokens scoped to one partnership: a file of their SHA-256 hashes (never the tokens), issued, listed and revoked.

The file (CSPKG_TOKENS_FILE) holds one token a line, tab-separated:
    <sha256 hex of the token>  <partnership key>  <date issued>  <label>
Lines starting with # are comments. A token is random (secrets.token_urlsafe, 256 bits), so a plain
hash is enough to keep it: nothing short of the token itself hashes to the same value. The server
re-reads the file when it changes (its modification time, size or inode), so a revocation takes
effect on the next request without a restart.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import os
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import BadInput
from ..namespaces import ID
from .files import LOCAL, PLAN_KEY

HEADER = ("# cspkg write tokens, one a line: sha256-of-token<TAB>partnership<TAB>date issued<TAB>label\n"
          "# Issue, list and revoke them with `cspkg token`; the tokens themselves are never stored.\n")
PARTNERSHIPS = ID + LOCAL["pt"]  # https://w3id.org/cspkg/id/partnership/
MIN_PREFIX = 6  # hex digits a revocation must give, so a slip cannot match many tokens


@dataclass(frozen=True)
class Entry:
    digest: str  # sha256 hex of the token
    partnership: str  # the partnership key, e.g. tendring-csp
    issued: str  # ISO date
    label: str

    def line(self) -> str:
        return "\t".join((self.digest, self.partnership, self.issued, self.label)) + "\n"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read(path: Path) -> list[Entry]:
    """The file's entries ([] if it does not exist); a malformed line is an error naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as err:
        raise BadInput(f"{path}: not UTF-8 text (byte {err.start})") from None
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) < 2 or len(fields[0]) != 64 or any(c not in "0123456789abcdef" for c in fields[0]) \
                or not PLAN_KEY.match(fields[1]):
            raise BadInput(f"{path}:{number}: not a token line (expected sha256-hex<TAB>partnership<TAB>date<TAB>label)")
        fields += [""] * (4 - len(fields))
        entries.append(Entry(fields[0], fields[1], fields[2], "\t".join(fields[3:])))
    return entries


@contextmanager
def _locked(path: Path):
    """One writer of the token file at a time (two `cspkg token issue` at once must not lose a line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, entries: list[Entry]) -> None:
    """Replace the file whole (a reader sees the old file or the new one), readable by its owner only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(HEADER + "".join(e.line() for e in entries))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def issue(path: Path, partnership: str, label: str, known: set[str]) -> tuple[str, Entry]:
    """A new token for the partnership: its hash is added to the file; the token is returned, once."""
    if partnership not in known:
        raise BadInput(f"no partnership '{partnership}' in the reference data (known: {', '.join(sorted(known)) or 'none'})")
    if any(ord(c) < 32 for c in label):
        raise BadInput("--label: write it on one line, without tabs")
    token = secrets.token_urlsafe(32)
    entry = Entry(digest(token), partnership, dt.date.today().isoformat(), label.strip())
    with _locked(path):
        _write(path, read(path) + [entry])
    return token, entry


def revoke(path: Path, prefix: str) -> Entry:
    """Remove the one token whose hash starts with prefix."""
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX or any(c not in "0123456789abcdef" for c in prefix):
        raise BadInput(f"'{prefix}': give at least {MIN_PREFIX} hex digits of the token's hash, as `cspkg token list` shows them")
    with _locked(path):
        entries = read(path)
        found = [e for e in entries if e.digest.startswith(prefix)]
        if len(found) != 1:
            listed = ", ".join(f"{e.digest[:12]} ({e.partnership})" for e in found)
            raise BadInput(f"no token's hash starts with '{prefix}' in {path}" if not found
                           else f"'{prefix}' matches {len(found)} tokens ({listed}); give more digits")
        _write(path, [e for e in entries if e is not found[0]])
    return found[0]


def partnerships(data_dir: Path) -> set[str]:
    """The partnership keys the data folder's reference data describes (subjects under id/partnership/)."""
    from ..sources import discover, parse

    return {q.subject.value[len(PARTNERSHIPS):] for source in discover(data_dir) if source.kind == "reference"
            for q in parse(source) if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(PARTNERSHIPS)}


class Registry:
    """The token file as the server sees it: read again whenever it changes on disk."""

    def __init__(self, path: Path):
        self.path = path
        self._seen: tuple | None = None
        self._entries: list[Entry] = []

    def entries(self) -> list[Entry]:
        try:
            st = self.path.stat()
            seen = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            seen = None
        if seen != self._seen or seen is None:
            self._entries = read(self.path)  # raises BadInput on a damaged file: nothing is trusted then
            self._seen = seen
        return self._entries

    def match(self, token: str) -> Entry | None:
        """The entry for this token, comparing hashes in constant time, and every entry each time."""
        given = digest(token).encode()
        found = None
        for entry in self.entries():
            if hmac.compare_digest(given, entry.digest.encode()):
                found = entry
        return found

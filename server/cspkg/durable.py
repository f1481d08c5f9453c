"""Durable file writes: a file written and flushed to disk, and a folder synced so that a new name
or a rename in it survives a crash (a kill does not need the folder sync; a power cut does)."""

from __future__ import annotations

import os
from pathlib import Path


def sync_dir(folder: Path) -> None:
    """Make a rename or a new name in the folder durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(path: Path, body: bytes) -> None:
    """Write the file whole and make it, and its name, durable."""
    with open(path, "wb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())
    sync_dir(path.parent)

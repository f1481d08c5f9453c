"""Which store the settings select: the embedded on-disk store or a remote SPARQL 1.1 store."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .builder import StoreBuilder
from .embedded import EmbeddedStore
from .interface import Store


def open_store(settings) -> "Store":
    """The store the settings select, ready for reading."""
    if settings.backend == "remote":
        from .remote import RemoteStore

        return RemoteStore(settings)
    return EmbeddedStore.open(settings.store)


def open_builder(root: Path, settings=None):
    """A builder for the store the settings select (embedded at root unless they say remote)."""
    if settings is not None and settings.backend == "remote":
        from .remote import RemoteStore
        from .remote_load import RemoteBuilder

        return RemoteBuilder(RemoteStore(settings, timeout=None))
    return StoreBuilder(root, memory_mb=(settings or Settings()).build_memory)

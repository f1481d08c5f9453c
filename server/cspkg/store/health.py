"""Whether the served store can be read, for /healthz: checked in the worker itself, never through the
query processes, so a busy pool does not slow the answer."""

from __future__ import annotations

import os
import threading

import pyoxigraph as ox

from ..errors import StoreMissing
from .commits import current_build


class StoreHealth:
    """Opens the current build read-only once per build id and asks `ASK {}` of it on each check; a
    cheap stat first notices a build folder that was removed or made unreadable since it was opened."""

    def __init__(self, settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._build, self._store = None, None

    def check(self) -> str:
        """The build id; StoreMissing with a message saying what is wrong when it cannot be read."""
        if self.settings.backend == "remote":
            from .remote import RemoteStore

            return RemoteStore(self.settings, timeout=min(self.settings.query_timeout, 5)).build_id()
        # the messages name the build, not the server's folders: /healthz is public
        try:
            folder = current_build(self.settings.store)
        except StoreMissing:
            raise StoreMissing("no current build: the store folder's `current` link is missing or points nowhere; "
                               "run `cspkg build`") from None
        if not os.access(folder, os.R_OK | os.X_OK) or not os.access(folder / "CURRENT", os.R_OK):
            raise StoreMissing(f"the current build ({folder.name}) cannot be read: its folder is unreadable or holds no store")
        with self._lock:
            if self._build != folder.name:
                self._store = self._build = None
                try:
                    self._store = ox.Store.read_only(str(folder))
                except OSError as err:
                    raise StoreMissing(f"the current build ({folder.name}) cannot be opened read-only: {err}") from None
                self._build = folder.name
            store = self._store
        if not isinstance(store.query("ASK {}"), ox.QueryBoolean):
            raise StoreMissing(f"the current build ({folder.name}) does not answer queries")
        return folder.name

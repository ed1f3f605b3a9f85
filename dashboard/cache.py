"""A worker's bounded cache of computed things (indicator tables, the catalog), safe under threads.

gunicorn runs each worker with several threads; they share one `TableCache`. Every read, insert
and eviction holds one lock, so no thread iterates the mapping while another changes it (the
"dictionary changed size during iteration" of issue 8). The value is made outside that lock, by
one thread a key: the others missing the same key wait for it (a page or table that just went
stale is asked for by many threads at once; on two cores, computing it once each would queue every
request behind them). If making it fails, the next waiting thread tries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

#: How many evictable entries (computed tables) one worker keeps.
DEFAULT_LIMIT = 16


class TableCache:
    """Up to `limit` evictable entries, the oldest dropped first, plus entries kept for good."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = max(1, int(limit))
        self._lock = threading.Lock()
        self._evictable: OrderedDict[Hashable, Any] = OrderedDict()
        self._kept: dict[Hashable, Any] = {}
        #: a lock per key being made, held by the thread making it
        self._making: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable) -> Any | None:
        """The value under `key`, or None."""
        with self._lock:
            if key in self._kept:
                return self._kept[key]
            return self._evictable.get(key)

    def put(self, key: Hashable, value: Any, *, keep: bool = False) -> Any:
        """Store `value` (the one already there wins); return the stored value.

        `keep` entries are never evicted; the others keep the newest `limit`.
        """
        with self._lock:
            found = self._kept.get(key, self._evictable.get(key))
            if found is not None:
                return found
            if keep:
                self._kept[key] = value
                return value
            self._evictable[key] = value
            while len(self._evictable) > self.limit:
                self._evictable.popitem(last=False)
            return value

    def get_or_make(self, key: Hashable, make: Callable[[], Any], *, keep: bool = False) -> Any:
        """The value under `key`, made by `make()` (outside the lock, once however many threads
        miss it together) when missing."""
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            found = self.get(key)
            if found is not None:
                return found
            try:
                return self.put(key, make(), keep=keep)
            finally:
                with self._lock:
                    self._making.pop(key, None)

    def keys(self) -> list[Hashable]:
        """A snapshot of the keys, kept ones first."""
        with self._lock:
            return [*self._kept, *self._evictable]

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept) + len(self._evictable)

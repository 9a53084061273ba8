"""Locking the store: drop the database key (close the file) and open it again in place.

A locked store keeps its Python object (screens hold it through the app), its device id, its
sequence and its clock in memory, but no connection and no key: every call fails with
:class:`StoreLocked` until :meth:`LockingMixin.unlock_with` opened the file again with the
passphrase. The passphrase itself is never kept.
"""

from __future__ import annotations

from db.engine import open_engine
from db.store.base import StoreBase, StoreLocked

__all__ = ["LockingMixin", "StoreLocked"]


class LockingMixin(StoreBase):
    """``lock()`` drops the key; ``unlock_with(passphrase)`` opens the same file again."""

    @property
    def locked(self) -> bool:
        """True between :meth:`lock` and a successful :meth:`unlock_with`."""
        return self._locked

    def lock(self) -> None:
        """Close the connection and the engine: the key leaves memory with them."""
        with self._lock:
            if self._locked:
                return
            self._locked = True
            try:
                self._conn.close()
            finally:
                self._engine.dispose()

    def unlock_with(self, passphrase: str) -> None:
        """Open the file again; a wrong passphrase raises and leaves the store locked."""
        with self._lock:
            if not self._locked:
                return
            engine = open_engine(self.path, passphrase)  # raises WrongPassphrase, file intact
            self._engine = engine
            self._conn = engine.connect()
            self._locked = False

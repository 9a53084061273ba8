"""Locking the store: drop the database key (close the file) and open it again in place.

A locked store keeps its Python object (screens hold it through the app), its device id, its
sequence and its clock in memory, but no connection and no key: every call fails with
:class:`StoreLocked` until :meth:`LockingMixin.unlock_with` opened the file again with the
passphrase. The passphrase itself is never kept.

What was typed in open forms is kept encrypted while locked: :meth:`LockingMixin.lock` takes
the texts and writes them into the (SQLCipher) file before it closes it, in the local
``meta`` table (never an op: it does not sync); :meth:`LockingMixin.unlock_with` hands them
back once and deletes them. The screens empty the fields meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from db.engine import open_engine
from db.store.base import StoreBase, StoreLocked, _raw

_STASH = "locked_form_texts"

__all__ = ["LockingMixin", "StoreLocked"]


class LockingMixin(StoreBase):
    """``lock()`` drops the key; ``unlock_with(passphrase)`` opens the same file again."""

    @property
    def locked(self) -> bool:
        """True between :meth:`lock` and a successful :meth:`unlock_with`."""
        return self._locked

    def lock(self, texts: Sequence[str] = ()) -> None:
        """Close the connection and the engine: the key leaves memory with them. ``texts``
        (typed in open forms) are kept in the encrypted file until :meth:`unlock_with`."""
        with self._lock:
            if self._locked:
                return
            if texts:
                with self._tx() as conn:
                    _raw(conn).execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                       (_STASH, json.dumps(list(texts), ensure_ascii=False)))
            self._locked = True
            try:
                self._conn.close()
            finally:
                self._engine.dispose()

    def unlock_with(self, passphrase: str) -> list[str]:
        """Open the file again and return the texts kept by :meth:`lock` (deleting them);
        a wrong passphrase raises and leaves the store locked."""
        with self._lock:
            if not self._locked:
                return []
            engine = open_engine(self.path, passphrase)  # raises WrongPassphrase, file intact
            self._engine = engine
            self._conn = engine.connect()
            self._locked = False
            with self._tx() as conn:
                raw = _raw(conn)
                row = raw.execute("SELECT value FROM meta WHERE key = ?", (_STASH,)).fetchone()
                raw.execute("DELETE FROM meta WHERE key = ?", (_STASH,))
            return list(json.loads(row[0])) if row else []

"""Persistence of the local server: SQLite for records, content-addressed blob files."""

from llamaextract_nb.local.store.blobs import BlobStore, TooLarge
from llamaextract_nb.local.store.db import StateError, Store, to_iso, utc_now

__all__ = ["BlobStore", "StateError", "Store", "TooLarge", "to_iso", "utc_now"]

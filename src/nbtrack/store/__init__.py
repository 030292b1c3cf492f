"""The run store: SQLAlchemy tables, content-addressed blobs, the filter language."""

from nbtrack.store.listing import StoredRun
from nbtrack.store.store import Store, open_store

__all__ = ["Store", "StoredRun", "open_store"]

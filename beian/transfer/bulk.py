"""Moved to `beian.core.bulk` (the set-based writer is shared by the registry's bulk upsert
and the imports of units and people); kept so that existing imports keep working."""

from beian.core.bulk import CHUNK, RecordWriter, lock_tables, reserve_ids

__all__ = ["CHUNK", "RecordWriter", "lock_tables", "reserve_ids"]

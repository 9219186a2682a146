"""Owner scoping: the filter every query carries, and the metadata every record carries."""

from __future__ import annotations

from typing import Any

from tutor.vectors._port import OWNER_KEY, MetadataValue, VectorRecord, Where


def owner_filter(owner: str, where: Where | None = None) -> dict[str, Any]:
    """A ``where`` that keeps only ``owner``'s records, and those matching ``where``.

    Chroma takes one field per dict, so a ``where`` with several fields becomes one
    clause per field, all joined with the owner clause under a flat ``$and``.

    Raises:
        ValueError: ``owner`` is empty: an unscoped query must never happen by accident.
    """
    if not owner:
        raise ValueError("an owner is required to read or delete vectors")
    clauses: list[dict[str, Any]] = [{OWNER_KEY: owner}]
    for key, value in (where or {}).items():
        if key == "$and":
            clauses.extend(value)
        else:
            clauses.append({key: value})
    if len(clauses) == 1:
        return clauses[0]
    return {"$and": clauses}


def record_metadata(record: VectorRecord) -> dict[str, MetadataValue]:
    """The metadata stored with ``record``: its own fields and its owner.

    Raises:
        ValueError: The record has no owner, or its metadata names a different one.
    """
    if not record.owner:
        raise ValueError(f"record {record.id!r} has no owner")
    stated = record.metadata.get(OWNER_KEY, record.owner)
    if stated != record.owner:
        raise ValueError(
            f"record {record.id!r} is owned by {record.owner!r} but its metadata says {stated!r}"
        )
    return {**record.metadata, OWNER_KEY: record.owner}

"""The hash chain over audit events: how a row's hash is computed, and verification."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_roles",
    "action",
    "event",
    "target_type",
    "target_id",
    "person_id",
    "route",
    "ip_address",
    "reason",
    "changes",
    "previous_hash",
)


def _canonical(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def row_hash(values: dict[str, Any]) -> str:
    """SHA-256 over the event's fields in a fixed order, as canonical JSON."""
    payload = json.dumps(
        [_canonical(values[name]) for name in HASHED_FIELDS],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    sequence: int
    problem: str


def verify(rows: Iterator[dict[str, Any]]) -> Iterator[Break]:
    """Yield every place the chain is broken; ``rows`` must come in sequence order."""
    expected_sequence = 1
    previous = GENESIS_HASH
    for row in rows:
        sequence = row["sequence"]
        if sequence != expected_sequence:
            yield Break(sequence, f"expected event {expected_sequence}: events are missing")
        if row["previous_hash"] != previous:
            yield Break(sequence, "does not link to the event before it")
        if row_hash(row) != row["row_hash"]:
            yield Break(sequence, "its content does not match its hash: it was changed")
        previous = row["row_hash"]
        expected_sequence = sequence + 1

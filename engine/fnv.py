"""32-bit FNV-1a, the hash durable_rules 2.0.28 compares in place of fact ids and sids.

Two different ids with the same hash are treated by the engine as one fact (a silent wrong
answer), so the loader refuses a KB where any two of its ids or property names collide.
"""

from __future__ import annotations

from collections.abc import Iterable


def fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def collisions(names: Iterable[str]) -> list[tuple[str, str]]:
    seen: dict[int, str] = {}
    found = []
    for name in dict.fromkeys(names):
        h = fnv1a32(name)
        if h in seen and seen[h] != name:
            found.append((seen[h], name))
        else:
            seen[h] = name
    return found


def property_keys(names: Iterable[str]) -> dict[str, str]:
    """The property each fact or conclusion carries its value under in durable_rules (`p17`):
    numbered in sorted order, so the same KB always gets the same keys."""
    return {name: f"p{i}" for i, name in enumerate(sorted(set(names)))}

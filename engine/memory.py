"""Turn a case into working-memory facts: every fact of the vocabulary, with an explicit value.

Unknown facts are asserted as `unknown`, never left out, so that no rule needs negation
(durable_rules' negation is unreliable) and no result depends on what happens to be absent.
Fact shape: `{"id": name, "t": name, "v": token}`, plus for numbers and dates `k` (1 when
known) and `n` (the number, or the day ordinal), plus the shifted dates the KB compares with.
"""

from __future__ import annotations

from typing import Any

from .dates import shift
from .loader import token
from .model import KB, UNKNOWN, Offset


def fact_dict(kb: KB, name: str, value: Any, offsets: tuple[Offset, ...] = ()) -> dict[str, Any]:
    fdef = kb.facts[name]
    fact: dict[str, Any] = {"id": name, "t": name}
    if fdef.type == "date":
        fact["v"] = value.isoformat()
        fact["k"] = 1
        fact["n"] = value.toordinal()
        for offset in offsets:
            fact[offset.prop] = shift(value, offset.months, offset.days).toordinal()
    elif fdef.type == "int":
        known = value != UNKNOWN
        fact["v"] = token(value)
        fact["k"] = 1 if known else 0
        fact["n"] = value if known else 0
    else:
        fact["v"] = token(value)
    return fact


def plain_facts(kb: KB, case: Any, offsets: dict[str, tuple[Offset, ...]] | None = None) -> list[dict[str, Any]]:
    """All facts of the vocabulary for one case, sorted by name (a canonical order)."""
    offsets = offsets or {}
    return [fact_dict(kb, name, case.value(name), offsets.get(name, ())) for name in sorted(kb.facts)]

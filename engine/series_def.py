"""Read kb/series.yaml: how a case given as a list of communications is read.

It says which facts an item of `communications:` may give and which conclusions are worked out
for each communication, how the lead communication is ranked, how the case reads the others,
and which facts the list itself gives. Everything is checked against the vocabulary and the
conclusions, so that a typo is a KB error, never a silently unread name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .loader import _check_keys, _Collector, _load, _text, token
from .model import Aggregate, ConclusionDef, Derivation, FactDef, Rise, SeriesDef, Source
from .yamlio import LDict, LList

DERIVATIONS = ("messages", "occasions")


def tokens_of(name: str, facts: dict[str, FactDef], conclusions: dict[str, ConclusionDef]) -> tuple[str, ...]:
    """The value tokens a fact or conclusion can take (a fact's include `unknown`)."""
    if name in facts:
        return facts[name].tokens()
    return conclusions[name].values


def load_series(
    c: _Collector,
    path: Path,
    facts: dict[str, FactDef],
    conclusions: dict[str, ConclusionDef],
    sources: dict[str, Source],
) -> SeriesDef | None:
    if not path.exists():
        return None
    data = _load(c, path)
    if data is None:
        return None
    if not isinstance(data, LDict):
        c.add(path, None, None, "expected a mapping with 'communication', 'lead', 'aggregates' and 'derived'")
        return None
    before = len(c.errors)
    _check_keys(
        c, path, data, {"communication", "lead", "aggregates", "derived", "rises"}, None, ("communication", "lead")
    )

    def names(node: Any, key: str, known: dict[str, Any], what: str) -> tuple[str, ...]:
        raw = node.get(key) if isinstance(node, LDict) else None
        line = node.line_of(key) if isinstance(node, LDict) else None
        if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
            c.add(path, line, key, f"expected a list of {what}")
            return ()
        for name in raw:
            if name not in known:
                c.add(path, line, key, f"'{name}' is not one of the KB's {what}")
        if len(set(raw)) != len(raw):
            c.add(path, line, key, "a name is listed twice")
        return tuple(raw)

    def source_of(node: LDict, subject: str) -> tuple[str, str, str]:
        source = _text(c, path, node, "source", subject)
        if source and source not in sources and not c.broken_sources:
            c.add(path, node.line_of("source"), subject, f"unknown source '{source}' (not in kb/sources.yaml)")
        return source, _text(c, path, node, "cite", subject), " ".join(_text(c, path, node, "meaning", subject).split())

    def order_of(node: LDict, name: str, subject: str) -> tuple[str, ...]:
        raw = node.get("order")
        order = tuple(token(v) for v in raw) if isinstance(raw, list) else ()
        if name in facts or name in conclusions:
            expected = tokens_of(name, facts, conclusions)
            if sorted(order) != sorted(expected):
                c.add(
                    path,
                    node.line_of("order"),
                    subject,
                    f"the order must name each value of '{name}' once: {', '.join(expected)}",
                )
        return order

    comm = data.get("communication")
    if not isinstance(comm, LDict):
        c.add(path, data.line_of("communication"), "communication", "expected a mapping with 'facts' and 'conclusions'")
        return None
    _check_keys(c, path, comm, {"facts", "conclusions"}, "communication", ("facts", "conclusions"))
    comm_facts = names(comm, "facts", facts, "facts")
    for name in comm_facts:
        fdef = facts.get(name)
        if fdef is not None and (fdef.header or fdef.type not in ("bool", "enum")):
            c.add(path, comm.line_of("facts"), name, "a fact of one communication is true/false or one of a few values")
    comm_conclusions = names(comm, "conclusions", conclusions, "conclusions")

    lead_node = data.get("lead")
    lead = Aggregate("", (), "", "", "")
    if isinstance(lead_node, LDict):
        _check_keys(c, path, lead_node, {"by", "order", "source", "cite", "meaning"}, "lead", ("by", "order"))
        by = lead_node.get("by")
        if by not in comm_conclusions:
            c.add(path, lead_node.line_of("by"), "lead", "'by' must name a conclusion of one communication")
        lead = Aggregate(
            str(by), order_of(lead_node, str(by), "lead"), *source_of(lead_node, "lead"), lead_node.line or 0
        )
    else:
        c.add(path, data.line_of("lead"), "lead", "expected a mapping with 'by', 'order', 'source', 'cite', 'meaning'")

    aggregates: list[Aggregate] = []
    seen: set[str] = set()
    raw_aggs = data.get("aggregates") or []
    for node in raw_aggs if isinstance(raw_aggs, LList) else []:
        if not isinstance(node, LDict):
            c.add(path, data.line_of("aggregates"), "aggregates", "each entry must be a mapping")
            continue
        _check_keys(c, path, node, {"names", "order", "source", "cite", "meaning"}, "aggregates", ("names", "order"))
        listed = names(
            node,
            "names",
            {**dict.fromkeys(comm_facts), **dict.fromkeys(comm_conclusions)},
            "facts or conclusions of one communication",
        )
        source, cite, meaning = source_of(node, "aggregates")
        for name in listed:
            if name in seen:
                c.add(path, node.line_of("names"), name, "given two ways to be read")
            seen.add(name)
            aggregates.append(Aggregate(name, order_of(node, name, name), source, cite, meaning, node.line or 0))

    derived: list[Derivation] = []
    raw_derived = data.get("derived") or []
    for node in raw_derived if isinstance(raw_derived, LList) else []:
        if not isinstance(node, LDict):
            continue
        _check_keys(c, path, node, {"fact", "from", "source", "cite", "meaning"}, "derived", ("fact", "from"))
        fact = node.get("fact")
        fdef = facts.get(fact) if isinstance(fact, str) else None
        if fdef is None or fdef.type != "int":
            c.add(path, node.line_of("fact"), "derived", f"'{fact}' is not a whole-number fact of the vocabulary")
        method = node.get("from")
        if method not in DERIVATIONS:
            c.add(path, node.line_of("from"), str(fact), f"'from' must be one of: {', '.join(DERIVATIONS)}")
        derived.append(Derivation(str(fact), str(method), *source_of(node, str(fact)), node.line or 0))
    rises: list[Rise] = []
    raw_rises = data.get("rises") or []
    for node in raw_rises if isinstance(raw_rises, LList) else []:
        if not isinstance(node, LDict):
            continue
        _check_keys(
            c, path, node, {"fact", "by", "order", "source", "cite", "meaning"}, "rises", ("fact", "by", "order")
        )
        fact = node.get("fact")
        fdef = facts.get(fact) if isinstance(fact, str) else None
        if fdef is None or fdef.type != "bool" or fact in comm_facts:
            c.add(path, node.line_of("fact"), "rises", f"'{fact}' is not a true/false fact of the case")
        by = node.get("by")
        if by not in comm_conclusions:
            c.add(path, node.line_of("by"), str(fact), "'by' must name a conclusion of one communication")
            continue
        raw = node.get("order")
        order = tuple(token(v) for v in raw) if isinstance(raw, list) else ()
        if sorted((*order, "unknown")) != sorted(conclusions[by].values):
            c.add(path, node.line_of("order"), str(fact), f"the order must name each value of '{by}' but unknown once")
        rises.append(Rise(str(fact), str(by), order, *source_of(node, str(fact)), node.line or 0))
    if len(c.errors) > before:
        return None
    return SeriesDef(comm_facts, comm_conclusions, lead, tuple(aggregates), tuple(derived), c.label(path), tuple(rises))

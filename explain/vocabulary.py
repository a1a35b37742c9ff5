"""The fact vocabulary for people: a listing, and a case-file template with every fact commented."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kbcheck.engine.case import describe_expected
from kbcheck.engine.model import KB, FactDef


def values_text(fact: FactDef) -> str:
    if fact.type == "enum":
        return " | ".join(fact.values)
    if fact.type == "bool":
        return "true | false"
    if fact.type == "int":
        return describe_expected(fact).replace(" (or unknown)", "")
    return "YYYY-MM-DD"


def facts_json(kb: KB) -> list[dict[str, Any]]:
    return [
        {
            "name": f.name,
            "type": f.type,
            "values": list(f.values) if f.type == "enum" else None,
            "min": f.minimum,
            "max": f.maximum,
            "group": f.group,
            "group_title": kb.groups[f.group],
            "header": f.header,
            "meaning": f.meaning,
            "question": f.question,
        }
        for f in kb.facts.values()
    ]


def facts_text(kb: KB) -> str:
    lines = []
    for group, title in kb.groups.items():
        members = [f for f in kb.facts.values() if f.group == group]
        if not members:
            continue
        lines.append(title.upper())
        width = max(len(f.name) for f in members)
        for fact in members:
            lines.append(f"  {fact.name.ljust(width)}  {fact.type:<4}  {values_text(fact)}")
            lines.append(f"  {' ' * width}        {fact.meaning}")
        lines.append("")
    lines.append("Every fact is optional. A fact left out, or given as unknown, is unknown: never false.")
    return "\n".join(lines) + "\n"


def case_template(kb: KB, case_id: str, offence_date: dt.date | None = None) -> str:
    """A case file with every fact of the vocabulary commented out, ready to fill in."""
    day = (offence_date or dt.date.today()).isoformat()
    out = [
        "# A kbcheck case file (docs/case-format.md).",
        "# Every fact is optional: a fact left commented out, or written as unknown, is unknown,",
        "# and the conclusions that depend on it say so. Uncomment a line and give its value.",
        f"case: {case_id}",
        "title: ",
        "# jurisdiction: england_and_wales   # england_and_wales | scotland | northern_ireland",
        f"offence_date: {day}   # when the (last) communication was sent: it chooses the law",
        "# assessment_date: "
        + dt.date.today().isoformat()
        + "   # default today: the presumed date of charge and conviction",
        "# charge_date: "
        + dt.date.today().isoformat()
        + "   # default the assessment date: the Code, the CPS guidance and the charging rules then in force",
        "# conviction_date: "
        + dt.date.today().isoformat()
        + "   # default the assessment date: the magistrates' powers and sentencing guidelines then in force",
        "facts:",
    ]
    for group, title in kb.groups.items():
        members = [f for f in kb.facts.values() if f.group == group and not f.header]
        if not members:
            continue
        out.append(f"  # --- {title} " + "-" * max(3, 60 - len(title)))
        for fact in members:
            example = "unknown"
            out.append(f"  # {fact.name}: {example}   # {values_text(fact)}: {fact.meaning}")
    if kb.series is not None:
        out += [
            "# Several communications? List them, each on its own date with its own facts (the facts of one",
            "# communication; docs/case-format.md 1.5), and leave offence_date out: it is the last one's.",
            "# communications:",
            f"#   - {{id: m1, date: {day}, medium: text_message, content_grossly_offensive: true}}",
            f"#   - {{id: m2, date: {day}, time: '23:40', medium: text_message, content_threat: true}}",
        ]
    return "\n".join(out) + "\n"


def conclusions_json(kb: KB) -> list[dict[str, Any]]:
    """Every conclusion id the JSON can carry, in stage order: `public` ones are in
    `conclusions`, the others in `derived`; a list's members are listed with the list."""
    out: list[dict[str, Any]] = []
    for cdef in kb.conclusions.values():
        if cdef.type == "member":
            continue
        out.append(
            {
                "id": cdef.id,
                "stage": cdef.stage,
                "public": cdef.public,
                "type": cdef.type,
                "values": list(cdef.values),
                "meaning": cdef.meaning,
            }
        )
    for ldef in kb.lists.values():
        out.append(
            {
                "id": ldef.id,
                "stage": ldef.stage,
                "public": True,
                "type": "list",
                "values": list(ldef.members),
                "meaning": ldef.meaning,
            }
        )
    order = {stage: n for n, stage in enumerate(kb.stages)}
    return sorted(out, key=lambda c: (order.get(c["stage"], len(order)), not c["public"], c["id"]))


def conclusions_markdown(kb: KB) -> str:
    """docs/conclusions.md: every conclusion and value, generated from kb/conclusions.yaml so
    that the documented ids and values are the KB's (a test compares the two)."""
    lines = [
        "# Every conclusion and its values",
        "",
        "Generated from `kb/conclusions.yaml` by `kbcheck conclusions --markdown`; a test fails when",
        "the two differ. `conclusions` in the JSON holds the public ones (and the lists, as sorted",
        "arrays of their members); `derived` holds the others. docs/case-format.md §3 says which of",
        "them are the contract.",
        "",
        "| conclusion | in | values | meaning |",
        "|---|---|---|---|",
    ]
    for c in conclusions_json(kb):
        kind = "conclusions" if c["public"] else "derived"
        values = ", ".join(f"`{v}`" for v in c["values"]) or c["type"]
        if c["type"] == "list":
            values = "list of " + values
        meaning = c["meaning"].replace("|", "\\|")
        lines.append(f"| `{c['id']}` | {kind} | {values} | {meaning} |")
    return "\n".join(lines) + "\n"


def conclusions_text(kb: KB) -> str:
    lines = []
    for c in conclusions_json(kb):
        where = "" if c["public"] else "  (derived)"
        values = " | ".join(c["values"]) or c["type"]
        lines.append(f"{c['id']}{where}\n    {'list of ' if c['type'] == 'list' else ''}{values}\n    {c['meaning']}")
    return "\n".join(lines) + "\n"

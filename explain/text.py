"""Plain-text renderings: an assessment with its reasons, rules in plain English."""

from __future__ import annotations

import textwrap
from typing import Any

from kbcheck.engine.model import KB, All, AnyOf, Condition, Rule, Test
from kbcheck.engine.result import Assessment


def value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _header(assessment: Assessment) -> list[str]:
    case = assessment.case
    lines = [f"{case.id}" + (f": {case.title}" if case.title else "")]
    assessed = case.assessment_date.isoformat() + ("" if case.assessment_date_given else " (today)")
    lines.append(
        f"Offence date {case.offence_date.isoformat()} (the law then in force); "
        f"assessment date {assessed}; {case.jurisdiction.replace('_', ' ')}; "
        f"{assessment.engine} engine"
    )
    return lines


def _reasons(assessment: Assessment, conclusion: str) -> list[str]:
    kb = assessment.kb
    seen: set[str] = set()
    out = []
    for firing in assessment.justifications(conclusion):
        if firing.rule.id in seen:
            continue
        seen.add(firing.rule.id)
        prefix = ""
        if firing.conclusion != conclusion:  # a member of a list
            prefix = f"{kb.conclusions[firing.conclusion].member}: "
        out.append(f"{prefix}{firing.rule.title} [{kb.citation(firing.rule)}]")
    return out


def assessment_text(assessment: Assessment, width: int = 100) -> str:
    """Each conclusion, by stage, with its value and the rules that concluded it."""
    kb = assessment.kb
    lines = _header(assessment)
    by_stage: dict[str, list[str]] = {}
    for cid, cdef in kb.conclusions.items():
        if cdef.public and cdef.list_id is None:
            by_stage.setdefault(cdef.stage, []).append(cid)
    for lid, ldef in kb.lists.items():
        by_stage.setdefault(ldef.stage, []).append(lid)
    name_width = max(len(c) for names in by_stage.values() for c in names)
    for stage, title in kb.stages.items():
        names = by_stage.get(stage)
        if not names:
            continue
        lines.append("")
        lines.append(title.upper())
        for name in names:
            lines.append(f"  {name.ljust(name_width)}  {value_text(assessment.value(name))}")
            for reason in _reasons(assessment, name):
                for i, part in enumerate(textwrap.wrap(reason, width - name_width - 8)):
                    lines.append(" " * (name_width + 4) + ("- " if i == 0 else "  ") + part)
    return "\n".join(lines) + "\n"


# --- Rules in plain English --------------------------------------------------------------------


def condition_lines(cond: Condition, indent: int = 0) -> list[str]:
    pad = "  " * indent
    if isinstance(cond, Test):
        return [f"{pad}- {cond.describe()}"]
    if isinstance(cond, AnyOf):
        out = [f"{pad}- any of:"]
        for item in cond.items:
            out.extend(condition_lines(item, indent + 1))
        return out
    assert isinstance(cond, All)
    if indent == 0:
        return [line for item in cond.items for line in condition_lines(item, indent)]
    out = [f"{pad}- all of:"]
    for item in cond.items:
        out.extend(condition_lines(item, indent + 1))
    return out


def rule_text(kb: KB, rule: Rule) -> str:
    source = kb.sources[rule.source]
    lines = [f"{rule.id}", f"  {rule.title}", ""]
    lines.append(f"  Source:      {source.title}")
    lines.append(f"  Citation:    {kb.citation(rule)}")
    lines.append(f"  Link:        {kb.url_of(rule)}")
    lines.append(f"  In force:    {rule.dates_text()}")
    lines.append(f"  Confidence:  {rule.confidence}")
    lines.append(f"  Defined in:  {rule.file}:{rule.line}")
    for authority in rule.authorities:
        lines.append(f"  See also:    {kb.sources[authority.source].short}, {authority.cite}")
    if rule.text:
        lines.append("")
        lines.append("  The law says:")
        lines.extend("    " + part for part in textwrap.wrap(f"\u201c{rule.text}\u201d", 92))
    lines.append("")
    lines.append("  If:" if rule.when.items else "  If: always (on the dates in force)")
    lines.extend("    " + line for line in condition_lines(rule.when))
    lines.append(f"  Then:        {rule.conclusion} = {rule.value}")
    if rule.defeats:
        lines.append(f"  Defeats:     {', '.join(rule.defeats)}")
    for label, text in (("Notes", rule.notes), ("The guide", rule.seed)):
        if text:
            lines.append("")
            lines.append(f"  {label}:")
            lines.extend("    " + part for part in textwrap.wrap(text, 92))
    return "\n".join(lines) + "\n"


def rule_json(kb: KB, rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "source": rule.source,
        "source_title": kb.sources[rule.source].title,
        "source_kind": kb.sources[rule.source].kind,
        "citation": kb.citation(rule),
        "url": kb.url_of(rule),
        "valid_from": rule.valid_from.isoformat() if rule.valid_from else None,
        "valid_until": rule.valid_until.isoformat() if rule.valid_until else None,
        "conditions": condition_lines(rule.when),
        "concludes": f"{rule.conclusion}={rule.value}",
        "defeats": list(rule.defeats),
        "confidence": rule.confidence,
        "authorities": [{"source": a.source, "cite": a.cite} for a in rule.authorities],
        "notes": rule.notes,
        "guide_differs": rule.seed,
        "file": rule.file,
        "line": rule.line,
    }

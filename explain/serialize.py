"""Explanations as plain JSON, for `--json` on every command."""

from __future__ import annotations

from typing import Any

from kbcheck.engine.model import KB
from kbcheck.engine.result import Firing


def firing_json(kb: KB, firing: Firing) -> dict[str, Any]:
    rule = firing.rule
    return {
        "step": firing.step,
        "rule": rule.id,
        "title": rule.title,
        "citation": kb.citation(rule),
        "url": kb.url_of(rule),
        "source_kind": kb.sources[rule.source].kind,
        "in_force": rule.dates_text(),
        "confidence": rule.confidence,
        "premises": firing.premise_ids(),
        "concludes": firing.concludes,
    }


def why_json(kb: KB, node: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": node.name, "value": node.value, "kind": node.kind}
    if node.kind == "fact":
        data["provenance"] = node.provenance
        return data
    if node.repeated:
        data["shown_above"] = True
        return data
    if node.members:
        data["members"] = [why_json(kb, m) for m in node.members]
    data["because"] = [
        dict(firing_json(kb, b.firing), premises=[why_json(kb, p) for p in b.premises]) for b in node.because
    ]
    return data


def why_not_json(kb: KB, conclusion: str, value: str, actual: Any, attempts: list[Any]) -> dict[str, Any]:
    return {
        "conclusion": conclusion,
        "value": value,
        "actual": actual,
        "rules": [
            {
                "rule": a.rule.id,
                "engine_rule": a.name,
                "title": a.rule.title,
                "citation": kb.citation(a.rule),
                "fired": a.fired,
                "conditions": [{"test": c.description, "status": c.status, "actual": c.actual} for c in a.checks],
            }
            for a in attempts
        ],
    }


def ask_json(questions: list[Any], targets: list[str]) -> dict[str, Any]:
    return {
        "targets": targets,
        "questions": [
            {
                "fact": q.fact,
                "question": q.question,
                "effects": [
                    {
                        "conclusion": e.conclusion,
                        "now": e.current,
                        "if": e.outcomes,
                        "settles": e.settles,
                        "reason": list(e.reason) if e.reason else None,
                    }
                    for e in q.effects
                ],
            }
            for q in questions
        ],
    }


def what_if_json(kb: KB, before: Any, after: Any, changes: list[Any], edits: list[str]) -> dict[str, Any]:
    return {
        "changes_made": edits,
        "before": before.to_json(),
        "after": after.to_json(),
        "changed": [
            {
                "conclusion": c.conclusion,
                "old": c.old,
                "new": c.new,
                "old_rules": sorted({f.rule.id for f in c.old_reasons}),
                "new_rules": sorted({f.rule.id for f in c.new_reasons}),
            }
            for c in changes
        ],
    }


def edits(changes: dict[str, Any], offence_date: str | None, assessment_date: str | None) -> list[str]:
    """The changes a what-if made, as its JSON lists them: FACT=VALUE, then any moved dates."""
    from .text import value_text

    out = [f"{k}={value_text(v)}" for k, v in changes.items()]
    if offence_date:
        out.append(f"offence date {offence_date}")
    if assessment_date:
        out.append(f"assessment date {assessment_date}")
    return out


def versioned(data: dict[str, Any]) -> dict[str, Any]:
    """A command's JSON with the contract's version first (docs/json.md), as the CLI prints it and
    kbcheck serve's API answers it."""
    from kbcheck.engine.result import SCHEMA_VERSION

    return {"schema_version": SCHEMA_VERSION, **{k: v for k, v in data.items() if k != "schema_version"}}

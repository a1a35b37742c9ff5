"""The same case under the law of several dates, side by side, for teaching how the law moved."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from kbcheck.engine import assess
from kbcheck.engine.result import Assessment

from .explanation import Explanation
from .text import value_text


def compare(
    assessment: Assessment, dates: list[dt.date], assessment_date: dt.date | None = None, engine: str | None = None
) -> list[Assessment]:
    """Re-assess the case with each offence date. Unless an assessment date is given, each is
    assessed the same number of days after its offence as the case is (not after today)."""
    explanation = Explanation(assessment, engine)
    gap = assessment.case.assessment_date - assessment.case.offence_date
    today = dt.date.today()
    results = []
    for day in dates:
        assessed = assessment_date or min(day + gap, max(today, day))
        case = explanation.variant({}, offence_date=day, assessment_date=assessed, today=max(today, assessed))
        results.append(assess(case, assessment.kb, explanation.engine))
    return results


def rows(results: list[Assessment], every: bool = False) -> list[tuple[str, list[str]]]:
    """(conclusion, its value on each date); only those that change, unless every."""
    kb = results[0].kb
    out = []
    for name in kb.public_conclusions():
        values = [value_text(r.value(name)) for r in results]
        if every or len(set(values)) > 1:
            out.append((name, values))
    return out


def table_text(results: list[Assessment], every: bool = False) -> str:
    header = ["offence date"] + [r.case.offence_date.isoformat() for r in results]
    assessed = ["assessed"] + [r.case.assessment_date.isoformat() for r in results]
    body = [[name, *values] for name, values in rows(results, every)]
    if not body:
        return "The conclusions are the same on every date.\n"
    table = [header, assessed, *body]
    widths = [min(max(len(row[i]) for row in table), 40) for i in range(len(header))]
    lines = []
    for n, row in enumerate(table):
        # A long value (a list of limbs, of weaknesses) wraps onto more lines rather than being
        # cut: the member cut off could be the one the comparison is about.
        cells = [_wrap(cell, widths[i]) for i, cell in enumerate(row)]
        for k in range(max(len(c) for c in cells)):
            parts = [c[k] if k < len(c) else "" for c in cells]
            lines.append("  ".join(part.ljust(widths[i]) for i, part in enumerate(parts)).rstrip())
        if n == 1:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _wrap(cell: str, width: int) -> list[str]:
    """A cell as lines of at most `width`, broken after the commas of a list where it can."""
    lines: list[str] = []
    for item in cell.split(", "):
        piece = item if not lines else lines[-1] + ", " + item
        if lines and len(piece) + 1 <= width:
            lines[-1] = piece
        else:
            if lines:
                lines[-1] += ","
            lines.extend(textwrap.wrap(item, width, break_on_hyphens=False) or [""])
    return lines


def table_json(results: list[Assessment], every: bool = False) -> dict[str, Any]:
    return {
        "dates": [
            {"offence_date": r.case.offence_date.isoformat(), "assessment_date": r.case.assessment_date.isoformat()}
            for r in results
        ],
        "conclusions": {name: [r.value(name) for r in results] for name, _ in rows(results, every)},
    }

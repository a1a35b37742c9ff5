"""The same case under the law of several dates, side by side, for teaching how the law moved."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from kbcheck.engine import assess
from kbcheck.engine.result import Assessment

from .explanation import Explanation
from .text import value_words


def compare(
    assessment: Assessment, dates: list[dt.date], assessment_date: dt.date | None = None, engine: str | None = None
) -> list[Assessment]:
    """Re-assess the case with each offence date (a series moved whole, its last communication
    on that date, each keeping its distance from it). Unless an assessment date is given, each is
    assessed the same number of days after its offence as the case is (not after today)."""
    explanation = Explanation(assessment, engine)
    gap = assessment.case.assessment_date - assessment.case.offence_date
    today = dt.date.today()
    results = []
    for day in dates:
        assessed = assessment_date or min(day + gap, max(today, day))
        case = explanation.variant({}, offence_date=day, assessment_date=assessed, today=max(today, assessed))
        results.append(assess(case, explanation.base_kb, explanation.engine))
    return results


def rows(results: list[Assessment], every: bool = False) -> list[tuple[str, list[str]]]:
    """(conclusion, its value on each date in words); only those that change, unless every.
    Stage by stage, as `assess` lists them."""
    kb = results[0].kb
    out = []
    for _stage, _title, names in kb.public_by_stage():
        for name in names:
            values = [value_words(r.value(name)) for r in results]
            if every or len(set(values)) > 1:
                out.append((name, values))
    return out


def table_text(results: list[Assessment], every: bool = False, width: int = 100) -> str:
    """The conclusions that differ (or all), stage by stage, one column a date, values in words,
    wrapped so that no line is wider than `width`; then how many were left out as the same on
    every date. --json keeps the ids and values as they are."""
    kb = results[0].kb
    shown = rows(results, every)
    same = len(kb.public_conclusions()) - len(shown)
    sides = "both dates" if len(results) == 2 else "every date"
    if not shown:
        return f"The conclusions are the same on {sides}.\n"
    # A series is moved whole: its dates are those of its last communication.
    label = "last communication" if results[0].series is not None else "offence date"
    header = [label] + [r.case.offence_date.isoformat() for r in results]
    assessed = ["assessed"] + [r.case.assessment_date.isoformat() for r in results]
    first = min(max(len(name) for name, _ in shown), 30)
    columns = max((width - first - 2 * len(results)) // len(results), 10)
    widths = [first] + [
        min(columns, max(len(v) for _, values in shown for v in values[i : i + 1] + [header[i + 1]]))
        for i in range(len(results))
    ]
    stage_of = {name: stage for stage, _title, names in kb.public_by_stage() for name in names}
    lines = _row([header[0].ljust(first), *header[1:]], widths) + _row(assessed, widths)
    lines.append("  ".join("-" * w for w in widths))
    stage = None
    for name, values in shown:
        if stage_of[name] != stage:
            stage = stage_of[name]
            lines.append(kb.stages[stage].upper())
        lines += _row([name, *values], widths)
    if same and not every:
        noun = "conclusion" if same == 1 else "conclusions"
        lines.append("")
        lines.append(f"{same} {noun} not shown {'is' if same == 1 else 'are'} the same on {sides} (--all shows them).")
    return "\n".join(lines) + "\n"


def _row(cells: list[str], widths: list[int]) -> list[str]:
    """One row of the table as lines: a long value (a list of limbs, of weaknesses) wraps onto
    more lines rather than being cut, since the member cut off could be the one the comparison
    is about; a long id wraps after its dots."""
    wrapped = [_wrap_id(cells[0], widths[0])] + [_wrap(cell, widths[i + 1]) for i, cell in enumerate(cells[1:])]
    lines = []
    for k in range(max(len(c) for c in wrapped)):
        parts = [c[k] if k < len(c) else "" for c in wrapped]
        lines.append("  ".join(part.ljust(widths[i]) for i, part in enumerate(parts)).rstrip())
    return lines


def _wrap_id(name: str, width: int) -> list[str]:
    """An id as lines of at most `width`, broken after a dot or before a bracket."""
    if len(name) <= width:
        return [name]
    pieces = name.replace(".", ".\0").replace("[", "\0[").split("\0")
    lines = [""]
    for piece in pieces:
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        lines[-1] += piece
    return [part for line in lines for part in (textwrap.wrap(line, width, break_on_hyphens=False) or [""])]


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
            lines.extend(textwrap.wrap(item, max(width - 1, 1), break_on_hyphens=False) or [""])  # room for its comma
    return lines


def table_json(results: list[Assessment], every: bool = False) -> dict[str, Any]:
    return {
        "dates": [
            {"offence_date": r.case.offence_date.isoformat(), "assessment_date": r.case.assessment_date.isoformat()}
            for r in results
        ],
        "conclusions": {name: [r.value(name) for r in results] for name, _ in rows(results, every)},
    }

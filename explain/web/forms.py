"""The case as an HTML form and back: every fact of the vocabulary is a field named `f.<fact>`,
the header (id, title, dates, jurisdiction) fields of their own names. A form is read into the
same data a case file holds and validated by the same code (engine/case.py), so what the page
assesses is what `kbcheck assess` would read from the saved file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml

from kbcheck.engine.case import Case, case_from_data, parse_fact_text
from kbcheck.engine.errors import CaseError
from kbcheck.engine.model import KB, UNKNOWN

PREFIX = "f."
HEADER = ("case", "title", "jurisdiction", "offence_date", "assessment_date", "charge_date", "conviction_date")
LABEL = "<the page>"


def case_data(kb: KB, form: Mapping[str, str]) -> dict[str, Any]:
    """The case-file data a form holds: empty fields and `unknown` are left out, as in a file."""
    data: dict[str, Any] = {}
    for key in HEADER:
        value = (form.get(key) or "").strip()
        if value:
            data[key] = value
    facts: dict[str, Any] = {}
    for name, fact in kb.facts.items():
        if fact.header:
            continue
        raw = (form.get(PREFIX + name) or "").strip()
        if not raw or raw == UNKNOWN:
            continue
        try:
            facts[name] = parse_fact_text(fact, raw)
        except ValueError as exc:
            raise CaseError(LABEL, str(exc), field=name) from None
    data["facts"] = facts
    return data


def read_form(kb: KB, form: Mapping[str, str], today: dt.date | None = None) -> Case:
    """The case of a form, validated as a case file is; a CaseError names the field."""
    return case_from_data(kb, case_data(kb, form), LABEL, today)


def field_text(value: Any) -> str:
    """A value as a form field holds it: true/false, numbers and dates as a case file writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def form_values(case: Case) -> dict[str, str]:
    """The fields of a form showing this case (facts not given are absent: unknown)."""
    data = case.to_data()
    values = {key: field_text(data[key]) for key in HEADER if key in data}
    values.setdefault("jurisdiction", case.jurisdiction)
    values.update({PREFIX + name: field_text(value) for name, value in case.given.items()})
    return values


def case_yaml(kb: KB, case: Case) -> str:
    """The case as a case file: what Save writes, and what `kbcheck assess` reads back."""
    data = case.to_data()
    case_from_data(kb, data, LABEL)  # the file written is one kbcheck accepts
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return "# Saved by kbcheck serve. Facts not given are unknown.\n" + text


def blank_case(kb: KB, today: dt.date) -> Case:
    """A new case: no facts given, the offence today."""
    return case_from_data(kb, {"case": "new-case", "offence_date": today.isoformat(), "facts": {}}, LABEL, today)

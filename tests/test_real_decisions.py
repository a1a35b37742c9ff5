"""The reported decisions in tests/real: each is drawn from a published source it names, with the
date of the decision, and expects only what that decision settles. Together they span 2011 to
2025 and every kind of outcome: prosecutions and sentences, cautions and community resolutions,
youth disposals, police warnings and decisions not to prosecute. (Each file also runs as a
scenario on both engines: see conftest.py.)"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from kbcheck.engine.yamlio import load_file

REAL = Path(__file__).parent / "real"
FILES = sorted(REAL.glob("*.yaml"))
KINDS = {
    "prosecution",
    "appeal",
    "caution",
    "community_resolution",
    "youth_disposal",
    "warning",
    "decision_not_to_prosecute",
}


def source(path: Path) -> dict:
    data = load_file(path)
    assert isinstance(data.get("source"), dict), f"{path.name}: a reported decision names its source"
    return data["source"]


def test_at_least_twenty_five_reported_decisions():
    assert len(FILES) >= 25


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_names_its_source_date_and_what_it_settles(path):
    src = source(path)
    assert set(src) >= {"decision", "kind", "date", "urls", "settles"}, path.name
    assert src["kind"] in KINDS, path.name
    day = src["date"] if isinstance(src["date"], dt.date) else dt.date.fromisoformat(str(src["date"]))
    assert dt.date(2011, 1, 1) <= day <= dt.date(2025, 12, 31), path.name
    assert src["urls"] and all(str(u).startswith(("http://", "https://")) for u in src["urls"]), path.name
    assert str(src["settles"]).strip() and str(src["decision"]).strip(), path.name
    assert path.stem.startswith(str(day.year)[:3]), f"{path.name}: files are named by year"
    data = load_file(path)
    assert data.get("expect"), f"{path.name}: a reported decision expects what it settles"


def test_the_decisions_span_the_years_and_the_kinds_of_outcome():
    sources = [source(p) for p in FILES]
    years = {
        (s["date"] if isinstance(s["date"], dt.date) else dt.date.fromisoformat(str(s["date"]))).year for s in sources
    }
    assert min(years) <= 2012 and max(years) >= 2024 and len(years) >= 8
    kinds = Counter(s["kind"] for s in sources)
    assert kinds["prosecution"] + kinds["appeal"] >= 10
    assert kinds["caution"] + kinds["community_resolution"] + kinds["youth_disposal"] >= 4
    assert kinds["warning"] >= 2
    assert kinds["decision_not_to_prosecute"] >= 4

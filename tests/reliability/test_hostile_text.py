"""Hostile text in a case: control characters, escape sequences, lone surrogates, bidirectional
overrides, newlines in keys and values, and dates and ids that only look right. Each is refused
in one line that quotes it harmlessly (exit 2), or, where it stands for a real character (an
emoji written as two escapes), read; no raw control character ever reaches the output."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcheck.cli.main import cli

from .conftest import record, scale

HEAD = "offence_date: 2025-01-01\nassessment_date: 2025-03-01\n"
# Anything a terminal or a page could act on: C0 and C1 controls but the line end and the tab
# (DOT source is indented with tabs), DEL, and bidirectional controls. Input holding a tab is
# refused, so a tab in the output is kbcheck's own.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

REFUSED = {
    # what the file holds -> (the field the error names, what it says)
    "esc-in-title.yaml": ('case: a\ntitle: "x\\e]0;pwned\\ay"\n' + HEAD, "title", "U+001B"),
    "nul-in-title.yaml": ('case: a\ntitle: "x\\0y"\n' + HEAD, "title", "U+0000"),
    "rlo-in-title.yaml": ('case: a\ntitle: "abc\\u202Edef"\n' + HEAD, "title", "U+202E"),
    "lone-surrogate.yaml": ('case: a\ntitle: "\\ud83d alone"\n' + HEAD, "title", "U+D83D"),
    "newline-in-key.yaml": (
        "case: a\n" + HEAD + 'facts:\n  "medium\\nkbcheck: all checks passed": letter\n',
        "facts.medium\\nkbcheck: all checks passed",
        "U+000A",
    ),
    "newline-in-date.yaml": (
        'case: a\noffence_date: "2025-01-01\\nkbcheck: ok"\nassessment_date: 2025-03-01\n',
        "offence_date",
        "U+000A",
    ),
    "newline-in-id.yaml": ('case: "abc\\n"\n' + HEAD, "case", "U+000A"),
    "esc-in-fact-value.yaml": ("case: a\n" + HEAD + 'facts:\n  medium: "letter\\e[2J"\n', "facts.medium", "U+001B"),
    "week-date.yaml": (
        "case: a\noffence_date: 2025-W01-3\nassessment_date: 2025-03-01\n",
        "offence_date",
        "YYYY-MM-DD",
    ),
    "basic-date.yaml": (
        'case: a\noffence_date: "20250101"\nassessment_date: 2025-03-01\n',
        "offence_date",
        "YYYY-MM-DD",
    ),
    "padded-date.yaml": (
        'case: a\noffence_date: " 2025-01-01"\nassessment_date: 2025-03-01\n',
        "offence_date",
        "YYYY-MM-DD",
    ),
    "anchor.yaml": ("case: a\ntitle: &t hello\n" + HEAD, None, "anchors"),
    "control-in-json.json": (
        json.dumps({"case": "a", "title": "x\u001by", "offence_date": "2025-01-01"}),
        "title",
        "U+001B",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_text_is_refused_in_one_harmless_line(tmp_path, name):
    text, field, says = REFUSED[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.html"
    for args in (
        ["assess", str(path)],
        ["explain", str(path), "-o", str(tmp_path / "x.svg")],
        ["report", str(path), "-o", str(out)],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output  # nothing forged on a line of its own
        assert lines[0].startswith(f"Error: {path}:"), result.output
        assert says in lines[0] and (field is None or f": {field}: " in lines[0]), lines[0]
        assert not RAW_CONTROL.search(result.output), repr(result.output)
        assert not out.exists()


def test_an_emoji_written_as_two_escapes_is_read_as_the_emoji(tmp_path):
    path = tmp_path / "emoji.yaml"
    path.write_text('case: a\ntitle: "\\ud83d\\ude00 smile"\n' + HEAD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["assess", str(path)])
    assert result.exit_code == 0, result.output
    assert "\U0001f600 smile" in result.output
    report = tmp_path / "r.html"
    assert CliRunner().invoke(cli, ["report", str(path), "-o", str(report)]).exit_code == 0
    assert "\U0001f600 smile" in report.read_text(encoding="utf-8")
    assert CliRunner().invoke(cli, ["explain", str(path), "-o", str(tmp_path / "d.svg")]).exit_code == 0


def test_a_hostile_json_line_in_a_batch_is_an_error_line_and_the_others_are_kept(tmp_path):
    good = {"case": "good", "offence_date": "2025-01-01", "facts": {"medium": "letter"}}
    bad = {"case": "bad", "title": "\u001b]0;pwned\u0007", "offence_date": "2025-01-01"}
    source = tmp_path / "cases.jsonl"
    source.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n" + json.dumps(good | {"case": "good2"}) + "\n")
    result = CliRunner().invoke(cli, ["batch", str(source)])
    assert not RAW_CONTROL.search(result.output), repr(result.output)
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert {line.get("case") for line in lines if "conclusions" in line} == {"good", "good2"}
    assert any("U+001B" in json.dumps(line) for line in lines)


# --- Fuzz: text with control characters, surrogates and newlines, anywhere in a case -----------------
NASTY = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            ["\n", "\r", "\t", "\x00", "\x1b", "\x07", "\x7f", "\x9b", "\u202e", "\u2066", "\ud83d", "\ude00"]
        ),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=12,
)
TRIED = {"cases": 0, "refused": 0, "read": 0}


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar, escapes and all, that reads back as `value`."""
    return json.dumps(value, ensure_ascii=True)


@settings(max_examples=scale(25, 1500), deadline=None, suppress_health_check=list(HealthCheck))
@given(title=NASTY, key=NASTY, value=NASTY, where=st.sampled_from(["title", "key", "value", "case"]))
def test_nasty_text_anywhere_is_refused_or_read_and_never_printed_raw(tmp_path_factory, title, key, value, where):
    folder = tmp_path_factory.mktemp("nasty")
    case_id = _yaml_text("a" + value) if where == "case" else "a"
    fact = _yaml_text(key) if where == "key" else "medium"
    fact_value = _yaml_text(value) if where == "value" else "letter"
    text = f"case: {case_id}\ntitle: {_yaml_text(title) if where == 'title' else 'ok'}\n{HEAD}facts:\n  {fact}: {fact_value}\n"
    path = folder / "case.yaml"
    path.write_text(text, encoding="utf-8")
    TRIED["cases"] += 1
    outputs = []
    for args in (
        ["assess", str(path)],
        ["assess", "--json", str(path)],
        ["explain", str(path)],
        ["report", str(path), "-o", str(folder / "r.md")],
    ):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 2), (args, result.output)
        if result.exit_code == 2:
            assert len(result.output.strip().splitlines()) == 1, result.output
        outputs.append(result.output)
    refused = result.exit_code == 2
    batched = CliRunner().invoke(cli, ["batch", str(path), "--no-trace", "--workers", "0"])
    assert batched.exit_code == (1 if refused else 0), batched.output  # a refused case is an error line
    outputs.append(batched.output)
    if (folder / "r.md").exists():
        outputs.append((folder / "r.md").read_text(encoding="utf-8"))
    for output in outputs:
        assert not RAW_CONTROL.search(output.replace("\n", "")), repr(output)
    TRIED["refused" if refused else "read"] += 1
    record("nasty text tried on assess, explain, report and batch", dict(TRIED))

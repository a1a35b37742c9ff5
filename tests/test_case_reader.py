"""The case reader refuses bad input with one line naming the file, the line, the field and what
was expected (spec/case-format.md §1), and reads good input faithfully."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine import CaseError, read_case
from kbcheck.engine.model import UNKNOWN

BAD = Path(__file__).parent / "fixtures" / "cases_bad"
EXPECTED = dict(line.split("\t", 1) for line in (BAD / "expected.tsv").read_text().splitlines())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_case_gives_exact_error(kb, name, monkeypatch):
    monkeypatch.chdir(BAD)
    with pytest.raises(CaseError) as info:
        read_case(name, kb)
    assert info.value.one_line() == EXPECTED[name].format(today=dt.date.today().isoformat())


def test_every_fixture_has_an_expected_message():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.tsv"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize(
    "name",
    ["unknown_fact.yaml", "wrong_type_bool.yaml", "missing_offence_date.yaml", "malformed.yaml", "python_tag.yaml"],
)
def test_cli_bad_case_exits_2_with_one_line_and_no_traceback(name, monkeypatch):
    monkeypatch.chdir(BAD)
    result = CliRunner().invoke(cli, ["assess", name])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [f"Error: {EXPECTED[name]}"]
    assert "Traceback" not in result.output


def test_binary_non_utf8_directory_and_missing_files(kb, tmp_path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\x01\x02case")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"case: x\ntitle: caf\xe9\n")
    huge = tmp_path / "huge.yaml"
    huge.write_text("case: x\ntitle: " + "a" * 1_100_000 + "\n")
    cases = {
        binary: "is a binary file, not YAML or JSON text",
        latin: "is not UTF-8 text",
        tmp_path: "is a directory, not a file",
        tmp_path / "absent.yaml": "no such file",
        huge: "file is too large (1,100,016 bytes; the limit is 256,000)",
    }
    for path, problem in cases.items():
        with pytest.raises(CaseError) as info:
            read_case(path, kb)
        assert problem in info.value.one_line()
        assert info.value.one_line().startswith(str(path))
    assert ":2:" in _error(kb, latin)


def _error(kb, path):
    with pytest.raises(CaseError) as info:
        read_case(path, kb)
    return info.value.one_line()


def test_a_billion_laughs_is_refused_at_the_first_alias(kb, tmp_path):
    lines = [
        "case: laughs",
        "offence_date: 2025-01-01",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        lines.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    message = _error(kb, path)
    assert "anchors" in message or "aliases" in message


def test_absent_and_unknown_facts_are_both_unknown(kb, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("case: c\noffence_date: 2025-01-01\nassessment_date: 2025-02-01\nfacts:\n  medium: unknown\n")
    case = read_case(path, kb)
    assert case.given == {}
    assert case.value("medium") == UNKNOWN
    assert case.value("content_threat") == UNKNOWN


def test_json_case_reads_like_yaml(kb, tmp_path):
    yaml_case = read_case(Path(__file__).parent / "scenarios" / "shared" / "seed-fake-profile.yaml", kb)
    data = yaml_case.to_data()
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))
    json_case = read_case(path, kb)
    assert json_case.given == yaml_case.given
    assert (json_case.offence_date, json_case.assessment_date) == (yaml_case.offence_date, yaml_case.assessment_date)


def test_assessment_date_defaults_to_today(kb, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("case: c\noffence_date: 2025-01-01\n")
    case = read_case(path, kb)
    assert case.assessment_date == dt.date.today()
    assert not case.assessment_date_given


def _shape(data):
    """Values with the line of every mapping, key and list item, for comparing two readers."""
    from kbcheck.engine.yamlio import LDict, LList

    if isinstance(data, LDict):
        return ("map", data.line, sorted(data.key_lines.items()), [(k, _shape(v)) for k, v in data.items()])
    if isinstance(data, LList):
        return ("list", data.line, data.item_lines, [_shape(v) for v in data])
    return (type(data).__name__, data)


def test_libyaml_reads_every_file_as_the_strict_loader_does():
    """Case and KB files are read with libyaml where it can; the values and every line number are
    those the pure-Python strict loader gives, and what it leaves (an & or *, a bad file) the
    strict loader reads, so that its errors keep their words."""
    from kbcheck.engine.yamlio import StrictLoader, _fast_yaml

    root = Path(__file__).parent.parent
    files = sorted([*root.glob("kb/**/*.yaml"), *root.glob("tests/**/*.yaml"), *root.glob("examples/*.yaml")])
    read_fast = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        done, data = _fast_yaml(text)
        if not done:
            continue
        read_fast += 1
        loader = StrictLoader(text)
        try:
            assert _shape(data) == _shape(loader.get_single_data()), path
        finally:
            loader.dispose()
    assert read_fast > len(files) / 2
    assert _fast_yaml("a: &x 1\nb: *x\n") == (False, None)
    assert _fast_yaml("a: 1\na: 2\n") == (False, None)

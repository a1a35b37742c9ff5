"""Every command's --json output carries the contract's version and follows the JSON Schema the
package ships for it (`kbcheck schema NAME`), so a developer can rely on the documented shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kbcheck.cli.main import COMMANDS, cli
from kbcheck.engine import assess, load_kb, read_case
from kbcheck.engine.result import SCHEMA_VERSION
from kbcheck.explain import schemas
from kbcheck.explain.vocabulary import conclusions_json, conclusions_markdown

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "whatsapp-director.yaml"
MEME = ROOT / "tests" / "scenarios" / "shared" / "seed-sarcastic-meme-supplier.yaml"
REAL = ROOT / "tests" / "real"

RUNS = {
    "assess": ["assess", str(EXAMPLE)],
    "why": ["why", str(EXAMPLE), "offence.mca_s1"],
    "why-not": ["why-not", str(EXAMPLE), "outcome.likely=nfa_evidential"],
    "ask": ["ask", str(MEME)],
    "what-if": ["what-if", str(EXAMPLE), "--set", "mutual_exchange=true"],
    "compare": ["compare", str(EXAMPLE), "--dates", "2014-01-01,2024-06-01"],
    "rules": ["rules"],
    "rule": ["rule", "mca1988.s1_1.offence.made_out"],
    "facts": ["facts"],
    "conclusions": ["conclusions"],
    "trace": ["trace", str(EXAMPLE)],
    "test": ["test", str(REAL / "2023-phillips-obafemi-tweet.yaml"), str(REAL / "2012-chambers-airport-joke.yaml")],
    "lint": ["lint"],
    "explain": ["explain", str(EXAMPLE), "evidence.strength"],
}


def output_of(name: str) -> dict:
    result = CliRunner().invoke(cli, [*RUNS[name], "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def validate(name: str, data: object) -> None:
    schema = schemas.load(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_json_output_begins_with_the_version_and_follows_its_schema(name):
    data = output_of(name)
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == SCHEMA_VERSION
    validate(name, data)


def test_every_command_with_json_has_a_schema_and_a_run_here():
    with_json = set()
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        if command is not None and any(p.name == "as_json" for p in command.params):
            with_json.add(name)
    assert with_json == set(RUNS)
    assert with_json | {"batch", "batch-compact", "error"} == set(schemas.names())  # error: kbcheck serve's API


def test_batch_lines_and_error_lines_follow_the_batch_schema(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("case: bad\noffence_date: not-a-date\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["batch", str(EXAMPLE), str(bad), "-o", str(out)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [("error" in line) for line in lines] == [False, True]
    for line in lines:
        assert line["schema_version"] == SCHEMA_VERSION
        validate("batch", line)


def test_compact_batch_lines_follow_their_schema_and_expand_to_the_full_trace(tmp_path):
    """`batch --trace compact`: each step's premises point at earlier steps, and with the rules'
    own titles, citations and urls (`kbcheck rules --json`) the full trace comes back, exactly."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("case: bad\noffence_date: not-a-date\n")
    full, compact = tmp_path / "full.jsonl", tmp_path / "compact.jsonl"
    assert CliRunner().invoke(cli, ["batch", str(EXAMPLE), str(bad), "-o", str(full)]).exit_code == 1
    result = CliRunner().invoke(cli, ["batch", str(EXAMPLE), str(bad), "--trace", "compact", "-o", str(compact)])
    assert result.exit_code == 1
    full_lines = [json.loads(line) for line in full.read_text().splitlines()]
    compact_lines = [json.loads(line) for line in compact.read_text().splitlines()]
    for line in compact_lines:
        validate("batch-compact", line)
    assert compact_lines[1] == full_lines[1]  # an error line is the same
    rules = {r["id"]: r for r in json.loads(CliRunner().invoke(cli, ["rules", "--json"]).stdout)["rules"]}
    steps = compact_lines[0]["trace"]
    expanded = [
        {
            "step": n,
            "rule": f["rule"],
            "title": rules[f["rule"]]["title"],
            "citation": rules[f["rule"]]["citation"],
            "url": rules[f["rule"]]["url"],
            "premises": [steps[p - 1]["concludes"] if isinstance(p, int) else p for p in f["premises"]],
            "concludes": f["concludes"],
        }
        for n, f in enumerate(steps, start=1)
    ]
    assert any(isinstance(p, int) for f in steps for p in f["premises"])
    assert all(p < n for n, f in enumerate(steps, start=1) for p in f["premises"] if isinstance(p, int))
    assert expanded == full_lines[0]["trace"]
    rest = {k: v for k, v in compact_lines[0].items() if k not in ("trace", "trace_format")}
    assert rest == {k: v for k, v in full_lines[0].items() if k != "trace"}
    both = CliRunner().invoke(cli, ["batch", str(EXAMPLE), "--no-trace", "--trace", "compact"])
    assert both.exit_code == 2 and "not both" in both.output


def test_the_schemas_reject_what_the_contract_forbids():
    data = output_of("assess")
    for broken in (
        {k: v for k, v in data.items() if k != "conclusions"},
        dict(data, engine="clips"),
        dict(data, offence_date="14 March 2025"),
        dict(data, unexpected=1),
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate("assess", broken)
    trace = output_of("trace")
    missing_rule = copy.deepcopy(trace)
    del missing_rule["trace"][0]["rule"]
    with pytest.raises(jsonschema.ValidationError):
        validate("trace", missing_rule)


def test_schema_prints_a_schema_and_refuses_an_unknown_name():
    listed = CliRunner().invoke(cli, ["schema"])
    assert listed.exit_code == 0 and "assess" in listed.output.split()
    printed = CliRunner().invoke(cli, ["schema", "assess"])
    assert json.loads(printed.output)["title"] == "kbcheck assess --json"
    unknown = CliRunner().invoke(cli, ["schema", "nope"])
    assert unknown.exit_code == 2 and "no schema for that command" in unknown.output


def test_docs_conclusions_md_is_the_knowledge_base_s_own_list():
    text = (ROOT / "docs" / "conclusions.md").read_text()
    assert text == conclusions_markdown(load_kb()), "regenerate: kbcheck conclusions --markdown > docs/conclusions.md"


def test_every_value_the_reported_decisions_produce_is_a_documented_value():
    kb = load_kb()
    documented = {c["id"]: set(c["values"]) for c in conclusions_json(kb)}
    for path in sorted(REAL.glob("*.yaml")):
        data = assess(read_case(path, kb), kb).to_json()
        for where in ("conclusions", "derived"):
            for cid, value in data[where].items():
                if "[" in cid:
                    continue  # a list's member: the list itself is documented
                values = value if isinstance(value, list) else [value]
                shown = {"null" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in values}
                assert shown <= documented[cid], (path.name, cid, shown - documented[cid])

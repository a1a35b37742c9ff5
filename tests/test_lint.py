"""`kbcheck lint` is clean on the shipped KB and finds each planted fault."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine.lint import lint
from kbcheck.engine.loader import default_kb_dir, load_kb

FIXTURES = Path(__file__).parent / "fixtures" / "lint"


def planted(tmp_path: Path, fixture: dict) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(default_kb_dir(), root)
    if fixture.get("rules"):
        (root / "zz_fixture.yaml").write_text(yaml.safe_dump(fixture["rules"], sort_keys=False))
    for key, section in (("conclusions", "conclusions.yaml"), ("facts", "vocab.yaml")):
        if fixture.get(key):
            path = root / section
            text = path.read_text()
            added = yaml.safe_dump(fixture[key], default_flow_style=True, sort_keys=False, width=10**6)
            items = "".join(
                f"  - {line}\n"
                for line in (
                    yaml.safe_dump(item, default_flow_style=True, width=10**6).strip() for item in fixture[key]
                )
            )
            assert added
            text = text.replace(f"{key}:\n", f"{key}:\n{items}", 1)
            path.write_text(text)
    return root


def test_the_shipped_kb_is_clean():
    result = CliRunner().invoke(cli, ["lint"])
    assert result.exit_code == 0, result.output
    assert "The knowledge base is clean" in result.output


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.yaml")))
def test_lint_finds_the_planted_fault(tmp_path, name):
    fixture = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text())
    root = planted(tmp_path, fixture)
    findings = [f.one_line() for f in lint(load_kb(root), samples=50)]
    assert any(fixture["expect"] in f for f in findings), findings
    result = CliRunner().invoke(cli, ["--kb", str(root), "lint", "--samples", "50"])
    assert result.exit_code == 1
    assert fixture["expect"] in result.output


def test_a_rule_marked_to_defeat_the_other_is_not_an_overlap(tmp_path):
    fixture = yaml.safe_load((FIXTURES / "overlap.yaml").read_text())
    fixture["rules"][0]["defeats"] = ["element.sending"]
    findings = [f for f in lint(load_kb(planted(tmp_path, fixture)), samples=50) if f.check == "overlap"]
    assert not findings


# --- The engine-limit check models durable_rules' alpha network ---------------------------------------
def _many(test: dict, n: int = 55) -> dict:
    """n rules with the same condition on evidence.strength (a conclusion whose value all reach)."""
    return {
        "rules": [
            {
                "id": f"fixture.many{i}",
                "title": f"many {i}",
                "source": "mca1988",
                "cite": "s.1",
                "notes": "fixture",
                "when": [
                    {"evidence.strength": copy.deepcopy(test)},
                    {"medium": "letter"},
                    {"message_count": {"gte": i + 1}},
                ],
                "then": {"element.sending": "met"},
            }
            for i in range(n)
        ]
    }


def test_the_same_in_test_in_many_rules_is_an_engine_limit(tmp_path):
    """Each `in` is a node of its own in durable_rules, so 55 identical ones are 55 siblings."""
    findings = lint(load_kb(planted(tmp_path, _many({"in": ["strong", "moderate"]}))), samples=50)
    assert any(f.check == "engine-limit" and "evidence.strength" in f.one_line() for f in findings), findings


def test_the_same_equality_in_many_rules_is_one_node(tmp_path):
    """Identical plain tests share one node, so 55 identical equalities are no engine limit."""
    findings = lint(load_kb(planted(tmp_path, _many("strong"))), samples=50)
    assert not [f for f in findings if f.check == "engine-limit" and "evidence.strength" in f.one_line()]


@pytest.mark.parametrize(("kind", "refused"), [("or", True), ("eq", False), ("distinct", True)])
def test_durable_rules_counts_sibling_tests_as_the_lint_does(kind, refused):
    """The lint's model, checked against the engine: 70 identical `$or` tests, or 70 distinct
    comparisons, that one fact satisfies are refused with error 303; 70 identical equalities are not."""
    import json

    from kbcheck.engine import _durable as engine  # type: ignore[attr-defined]

    def term(i: int) -> dict:
        if kind == "or":
            return {"$or": [{"x": "a"}, {"x": "b"}]}
        if kind == "eq":
            return {"x": "a"}
        return {"$neq": {"x": f"z{i}"}}

    rules = {f"r{i}": {"all": [{"m": {"$and": [{"$ex": {"x": 1}}, term(i)]}}]} for i in range(70)}
    rules["sink"] = {"all": [{"m": {"$ex": {"zz": 1}}}]}
    handle = engine.create_ruleset(f"lint_model_{kind}", json.dumps(rules))
    try:
        engine.assert_event(handle, json.dumps({"sid": "s1", "id": "f1", "x": "a"}))
        outcome = False
    except Exception as error:  # durable_rules raises a bare Exception with the code in its text
        assert "303" in str(error)
        outcome = True
    assert outcome is refused

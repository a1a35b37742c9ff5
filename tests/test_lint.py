"""`kbcheck lint` is clean on the shipped KB and finds each planted fault."""

from __future__ import annotations

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

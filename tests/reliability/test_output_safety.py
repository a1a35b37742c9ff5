"""Text from a case cannot change a diagram or run in a report; -o writes only where it says."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine.result import SCHEMA_VERSION

NASTY = [
    '"; label="owned"; x [',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "}} digraph evil { a -> b }",
    'A &amp; B < C > D \\" \\n end',
]


def case_with_title(folder: Path, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "case.yaml"
    path.write_text(
        f"case: nasty\ntitle: {title!r}\noffence_date: 2025-01-01\nassessment_date: 2025-02-01\n"
        "facts:\n  medium: email\n  audience: individual\n  content_grossly_offensive: true\n"
    )
    return path


@pytest.mark.parametrize("title", NASTY)
def test_a_hostile_title_cannot_change_the_diagram(tmp_path, title):
    path = case_with_title(tmp_path / "nasty", title)
    clean = case_with_title(tmp_path / "clean", "plain")
    svg = CliRunner().invoke(cli, ["explain", str(path), "offence.mca_s1", "-f", "svg"]).output
    root = ET.fromstring(svg)  # still well-formed XML
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
    assert not [e for e in root.iter() if any(k.startswith("on") for k in e.attrib)]
    dot_nasty = CliRunner().invoke(cli, ["explain", str(path), "offence.mca_s1", "-f", "dot"]).output
    dot_clean = CliRunner().invoke(cli, ["explain", str(clean), "offence.mca_s1", "-f", "dot"]).output
    # Only the heading differs: the title cannot add nodes, edges or attributes.
    differ = [a for a, b in zip(dot_nasty.splitlines(), dot_clean.splitlines(), strict=True) if a != b]
    assert len(differ) == 1 and re.match(r'fontname="[^"]*" fontsize=16 label=<', differ[0].lstrip())


def test_output_replaces_a_symlink_rather_than_writing_through_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.svg"
    link.symlink_to(victim)
    case = Path(__file__).parent.parent / "scenarios" / "shared" / "seed-fake-profile.yaml"
    result = CliRunner().invoke(cli, ["explain", str(case), "evidence.strength", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_bytes().lstrip().startswith(b"<?xml")


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    case = Path(__file__).parent.parent / "scenarios" / "shared" / "seed-fake-profile.yaml"
    target = tmp_path / "diagram.svg"

    def broken_replace(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    result = CliRunner().invoke(cli, ["explain", str(case), "evidence.strength", "-o", str(target)])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_missing_folder_or_onto_a_folder_is_exit_2(tmp_path):
    case = Path(__file__).parent.parent / "scenarios" / "shared" / "seed-fake-profile.yaml"
    for target in (tmp_path / "nowhere" / "x.svg", tmp_path):
        result = CliRunner().invoke(cli, ["explain", str(case), "-o", str(target)])
        assert result.exit_code == 2 and result.output.startswith("Error: ")


@pytest.mark.parametrize(
    "args,starts",
    [
        (["explain", "{case}", "offence.mca_s1", "-o", "-"], b"digraph justification {"),
        (["explain", "{case}", "offence.mca_s1", "--format", "png", "-o", "-"], b"\x89PNG"),
        (["report", "{case}", "-o", "-"], b"<!DOCTYPE html>"),
        (["batch", "{case}", "-o", "-"], b'{"schema_version":"%s","case":"nasty"' % SCHEMA_VERSION.encode()),
        (["new-case", "-o", "-"], b"# A kbcheck case file"),
    ],
    ids=lambda a: " ".join(a[:4]) if isinstance(a, list) else None,
)
def test_dash_as_output_means_stdout_not_a_file_named_dash(tmp_path, monkeypatch, args, starts):
    case = case_with_title(tmp_path / "case", "plain")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [a.format(case=case) for a in args])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(starts)
    assert not (tmp_path / "-").exists()


def test_the_interview_refuses_dash_as_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["interview", "-o", "-"], input="")
    assert result.exit_code == 2 and "name a case file" in result.output
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["explain", "{case}", "-o", "{out}.gif"], "cannot tell the format from .gif; name a .svg, .png, .pdf or .dot"),
        (["report", "{case}", "-o", "{out}.txt"], "cannot tell the format from .txt; name a .html, .pdf or .md"),
    ],
    ids=["explain", "report"],
)
def test_an_output_suffix_that_names_no_format_is_refused(tmp_path, args, message):
    case = case_with_title(tmp_path / "case", "plain")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [a.format(case=case, out=out) for a in args])
    assert result.exit_code == 2 and message in result.output
    assert list(tmp_path.glob("out*")) == []

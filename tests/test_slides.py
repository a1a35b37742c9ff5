"""Diagrams for a class: slide-sized, revealed step by step with every node kept in place, legible
in PNG; no list drawn unconnected; a trace that follows one conclusion's chain."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine import assess, load_kb, read_case
from kbcheck.explain import dot, graph, style

EXAMPLE = Path(__file__).parent.parent / "examples" / "whatsapp-director.yaml"
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def assessment():
    kb = load_kb()
    return assess(read_case(EXAMPLE, kb), kb)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("conclusion", ["offence.mca_s1", "law.mca_s1_applies"])
def test_a_slide_png_is_1920_by_1080(tmp_path, conclusion):
    out = tmp_path / "slide.png"
    result = run("explain", str(EXAMPLE), conclusion, "--for", "slides", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert png_size(out) == (1920, 1080)


def test_a_slide_pdf_is_a_16_by_9_page(tmp_path):
    out = tmp_path / "slide.pdf"
    assert run("explain", str(EXAMPLE), "offence.mca_s1", "--for", "slides", "-o", str(out)).exit_code == 0
    box = re.search(rb"/MediaBox \[ 0 0 (\d+) (\d+) \]", out.read_bytes())
    assert box and abs(int(box[1]) / int(box[2]) - 16 / 9) < 0.01


def test_a_chain_too_large_for_a_slide_is_folded_and_says_what_it_left_out(assessment):
    full = graph.build(assessment)
    shown = graph.justification(full, "offence.mca_s1")
    from kbcheck.explain import slides

    fitted = slides.fit(full, shown, style.SLIDES, legend=False)
    assert fitted.number_of_nodes() < shown.number_of_nodes()
    assert "concl:offence.mca_s1" in fitted
    left_out = fitted.graph["folded"]
    assert left_out["rules"] == sum(1 for n in set(shown) - set(fitted) if n.startswith("rule:"))
    source = dot.render(fitted, "dot", legend=False, look=style.SLIDES).decode()
    assert "Folded to fit the slide" in source
    assert re.search(r'"concl/element\.content" \[[^\n]*\+\d+ rules? not shown', source)
    # readable: the slide's text is large, and the drawing is not shrunk below the limit
    assert f"fontsize={style.SLIDES.font}" in source
    assert slides.scale(dot.measure(fitted, False, style.SLIDES), style.SLIDES) >= style.SLIDE_MIN_SCALE


def test_a_chain_that_fits_is_not_folded(tmp_path):
    result = run("explain", str(EXAMPLE), "law.mca_s1_applies", "--for", "slides", "-f", "dot")
    assert result.exit_code == 0
    assert "Folded" not in result.output and "not shown" not in result.output


def test_every_text_uses_one_font_with_room_below_each_line(assessment):
    """PNG and PDF drew the underscores of one line through the next: the labels' lines are table
    rows, padded, in DejaVu Sans, never lines broken with <BR/> inside a node."""
    source = dot.render(graph.justification(graph.build(assessment), "offence.mca_s1"), "dot").decode()
    font = f'fontname="{style.FONT}"'
    assert source.count(font) == 3  # the graph (titles, clusters), the nodes, the edges
    assert style.FONT.startswith("DejaVu Sans")
    for line in source.splitlines():
        if re.match(r'\s+"(fact|rule|concl)/', line) and " -> " not in line:
            assert "<BR/>" not in line, line
            assert 'CELLPADDING="1"' in line


def test_the_evidence_stage_draws_no_node_unconnected(tmp_path):
    """An empty list (evidence.weaknesses = []) is drawn with what shows each candidate is not in
    it, joined to it; a list nothing was concluded about is not drawn."""
    result = run("explain", str(EXAMPLE), "--stage", "evidence", "-f", "dot")
    assert result.exit_code == 0
    source = result.output
    drawn = set(re.findall(r'^\t\t"([^"]+)" \[', source, flags=re.M))
    linked = {n for edge in re.findall(r'^\t"([^"]+)" -> "([^"]+)"', source, flags=re.M) for n in edge}
    assert "concl/evidence.weaknesses" in drawn
    assert drawn - linked == set()
    edge = re.search(r'"concl/evidence\.weaknesses\[identification\]" -> "concl/evidence\.weaknesses" \[(.*)\]', source)
    assert edge and "arrowhead=odot" in edge[1]


def svg_nodes(path: Path) -> dict[str, tuple[list[str], bool]]:
    """Each node drawn in a step's SVG: its title -> (the coordinates of its text, highlighted?)."""
    nodes = {}
    for group in ET.parse(path).getroot().iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "node" not in classes:
            continue
        title = group.find(f"{SVG}title").text
        places = [f"{t.get('x')},{t.get('y')}" for t in group.iter(f"{SVG}text")]
        nodes[title] = (places, "new" in classes)
    return nodes


def new_edges(path: Path) -> list[str]:
    """The edges a step's SVG highlights as new."""
    return [
        g.find(f"{SVG}title").text
        for g in ET.parse(path).getroot().iter(f"{SVG}g")
        if (g.get("class") or "").split() == ["edge", "new"]
    ]


def test_steps_keep_every_node_in_place_and_highlight_what_is_new(tmp_path, assessment):
    out = tmp_path / "slides"
    result = run("explain", str(EXAMPLE), "element.purpose", "--steps", str(out), "-f", "svg")
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("step-*.svg"))
    assert len(files) > 3
    steps = [svg_nodes(f) for f in files]
    final = steps[-1]
    shown = graph.justification(graph.build(assessment), "element.purpose")
    assert {dot.dot_id(n) for n in shown if dot.dot_id(n) in final} >= {dot.dot_id("concl:element.purpose")}
    seen: set[str] = set()
    for n, nodes in enumerate(steps):
        for title, (places, _) in nodes.items():
            assert places == final[title][0], f"{title} moved in {files[n].name}"
        added = {t for t, (_, new) in nodes.items() if new}
        assert added == set(nodes) - seen - {"legend"}, files[n].name
        assert added or new_edges(files[n]), f"{files[n].name} adds nothing"
        seen |= set(nodes)
    assert "rule/mca1988.s1_1.purpose.inferred" in {t for t, (_, new) in steps[-1].items() if new}


def test_slide_steps_are_slide_sized(tmp_path):
    out = tmp_path / "slides"
    result = run("explain", str(EXAMPLE), "law.mca_s1_applies", "--for", "slides", "--steps", str(out), "-f", "png")
    assert result.exit_code == 0
    assert {png_size(f) for f in out.glob("step-*.png")} == {(1920, 1080)}


def test_steps_refuse_a_folder_with_an_earlier_runs_slides_unless_cleared(tmp_path):
    out = tmp_path / "slides"
    out.mkdir()
    for n in range(1, 41):
        (out / f"step-{n:03d}.png").write_bytes(b"old")
    (out / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "element.purpose", "--steps", str(out), "-f", "svg"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "--clear" in result.output
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".svg") == []  # nothing written
    assert (out / "step-040.png").read_bytes() == b"old"

    result = run("explain", str(EXAMPLE), "element.purpose", "--steps", str(out), "-f", "svg", "--clear")
    assert result.exit_code == 0
    left = sorted(p.name for p in out.iterdir())
    assert "notes.txt" in left and not any(name.endswith(".png") for name in left)
    assert all(name.endswith(".svg") for name in left if name.startswith("step-"))


def test_steps_and_output_file_are_refused_together(tmp_path):
    result = CliRunner().invoke(
        cli, ["explain", str(EXAMPLE), "element.purpose", "--steps", str(tmp_path / "s"), "-o", str(tmp_path / "x.svg")]
    )
    assert result.exit_code == 2 and result.output.startswith("Error: ")
    assert not (tmp_path / "s").exists()


def test_trace_follows_one_conclusions_chain(assessment):
    full = run("trace", str(EXAMPLE)).output
    chain = run("trace", str(EXAMPLE), "element.purpose").output
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\. ", chain, flags=re.M)]
    assert numbers == sorted(numbers) and len(numbers) < len(re.findall(r"^\s*\d+\. ", full, flags=re.M))
    rules = {
        n.split(":", 1)[1] for n in graph.justification(graph.build(assessment), "element.purpose") if "rule:" in n
    }
    listed = set(re.findall(r"^\s*\d+\. (\S+)", chain, flags=re.M))
    assert listed == rules
    expected = sum(1 for f in assessment.firings if f.rule.id in rules)
    assert len(numbers) == expected
    stepped = run("trace", str(EXAMPLE), "element.purpose", "--step", input="\n\nq\n")
    assert stepped.output.count("=> ") == 3
    assert f"[1/{expected}: Enter" in stepped.output


def test_trace_of_an_unknown_conclusion_is_an_error():
    result = CliRunner().invoke(cli, ["trace", str(EXAMPLE), "offence.mca_s9"])
    assert result.exit_code == 2
    assert (
        result.output
        == "Error: offence.mca_s9: not a conclusion of the knowledge base (did you mean offence.mca_s1?)\n"
    )


def test_trace_json_of_one_conclusion_keeps_the_whole_traces_numbers():
    import json

    whole = json.loads(run("trace", str(EXAMPLE), "--json").output)["trace"]
    chain = json.loads(run("trace", str(EXAMPLE), "element.purpose", "--json").output)["trace"]
    assert chain and len(chain) < len(whole)
    by_step = {f["step"]: f for f in whole}
    assert all(by_step[f["step"]] == f for f in chain)


def test_a_slide_of_the_whole_case_says_to_name_a_conclusion_or_a_stage(tmp_path):
    whole = CliRunner().invoke(cli, ["explain", str(EXAMPLE), "--for", "slides", "-o", str(tmp_path / "a.svg")])
    assert whole.exit_code == 0 and "name a CONCLUSION or a --stage" in whole.stderr
    one = CliRunner().invoke(
        cli, ["explain", str(EXAMPLE), "element.purpose", "--for", "slides", "-o", str(tmp_path / "b.svg")]
    )
    assert one.exit_code == 0 and "name a CONCLUSION" not in one.stderr

"""Explanations a lawyer can check: why, why-not, ask, what-if, trace, diagrams, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kbcheck.cli.main import cli
from kbcheck.engine import assess, load_kb, read_case
from kbcheck.explain import dot, graph
from kbcheck.explain.explanation import Explanation

SHARED = Path(__file__).parent / "scenarios" / "shared"
GOLDEN = Path(__file__).parent / "golden"
WHATSAPP = SHARED / "seed-whatsapp-director-filth.yaml"
FAKE = SHARED / "seed-fake-profile.yaml"
MEME = SHARED / "seed-sarcastic-meme-supplier.yaml"
CASES = sorted(SHARED.glob("*.yaml"))


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


def explanation(path: Path) -> Explanation:
    kb = load_kb()
    return Explanation(assess(read_case(path, kb), kb))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_explain_writes_valid_svg_and_pdf(path, tmp_path):
    svg, pdf = tmp_path / "case.svg", tmp_path / "case.pdf"
    assert run("explain", str(path), "-o", str(svg)).exit_code == 0
    assert run("explain", str(path), "offence.mca_s1", "-o", str(pdf)).exit_code == 0
    import xml.etree.ElementTree as ET

    assert ET.parse(svg).getroot().tag.endswith("svg")
    assert pdf.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_why_prints_a_tree_for_every_conclusion(path):
    kb = load_kb()
    e = explanation(path)
    from kbcheck.explain.text import why_text

    for conclusion in kb.public_conclusions():
        tree = why_text(kb, e.why(conclusion))
        first = tree.splitlines()[0]
        assert first.startswith(f"{conclusion} = ")
        if conclusion not in kb.lists or e.assessment.value(conclusion):
            assert "because " in tree and "[" in tree  # a rule, with its citation


def test_why_says_shown_above_for_a_repeated_subtree():
    text = run("why", str(WHATSAPP), "advice.recommendation").output
    assert "(shown above)" in text
    assert "(you said so)" in text and "(not given: unknown)" in text


def test_why_not_marks_failed_and_unknown_conditions():
    out = run("why-not", str(MEME), "offence.mca_s1=made_out").output
    assert "mca1988.s1_1.offence.made_out  (did not fire)" in out
    assert "UNKNOWN element.purpose is met   (it is unknown)" in out
    out = run("why-not", str(FAKE), "evidence.strength=strong").output
    assert "FAILED  evidence.weaknesses[identification] is no   (it is yes)" in out


def test_why_not_of_a_list_member():
    out = run("why-not", str(SHARED / "seed-email-disgrace-refund.yaml"), "alternatives=pha1997.s2").output
    assert "pha1997.s2.points_to" in out and "FAILED" in out


def test_what_if_sender_not_identified_changes_evidence_and_outcome_with_reasons():
    out = run("what-if", str(WHATSAPP), "--set", "sender_identified=false").output
    assert "evidence.strength: strong -> weak" in out
    assert "outcome.likely: charge -> no_suspect_identified" in out
    assert "now:    No suspect is identified [Home Office outcomes framework" in out
    assert "before: Charge (or summons)" in out


def test_what_if_the_offence_date_shows_the_law_changing():
    threat = SHARED / "dated-threat-2023-vs-law.yaml"
    out = run("what-if", str(threat), "--offence-date", "2024-01-31").output
    assert "offence.mca_s1: made_out -> not_made_out" in out
    assert "threat: yes -> no" in out
    assert "The threat limb is repealed for conduct from 31 January 2024 [OSA 2023 s.189(1)" in out


def test_what_if_in_another_jurisdiction():
    out = run("what-if", str(WHATSAPP), "--set", "jurisdiction=scotland").output
    assert out.startswith("What if jurisdiction=scotland?")
    assert "law.mca_s1_applies: true -> false" in out
    assert "offence.mca_s1: made_out -> not_made_out" in out


def test_what_if_refuses_bad_changes_with_exit_2():
    for args, message in [
        (["--set", "medium=fax"], "--set medium=fax: expected one of letter"),
        (["--set", "nonsense=true"], "nonsense is not a fact of the vocabulary"),
        (["--set", "sender_identifed=false"], "(did you mean 'sender_identified'?)"),
        (["--set", "offence_date=2020-01-01"], "offence_date is a date of the case: use --offence-date"),
        (["--set", "jurisdiction=wales"], "--set jurisdiction=wales: expected one of"),
        (["--set", "content_merely_offensive=true"], "cannot be both grossly offensive and merely offensive"),
        (["--offence-date", "2024-02-30"], "--offence-date 2024-02-30"),
        ([], "nothing to change"),
    ]:
        result = CliRunner().invoke(cli, ["what-if", str(WHATSAPP), *args])
        assert result.exit_code == 2, args
        assert message in result.output, (args, result.output)


def test_ask_names_the_facts_that_settle_an_unknown_purpose():
    e = explanation(MEME)
    assert e.assessment.values["element.purpose"] == "unknown"
    questions = e.missing("element.purpose")
    assert questions[0].fact == "purpose_distress_anxiety"
    effect = questions[0].effects[0]
    assert effect.settles and effect.outcomes == {"true": "met", "false": "not_met"}
    out = run("ask", str(MEME), "element.purpose").output
    assert "would settle element.purpose (now unknown): if yes: met; if no: not met" in out


def test_ask_without_a_conclusion_targets_everything_not_settled():
    e = explanation(MEME)
    targets = e.targets()
    assert "element.purpose" in targets and "offence.mca_s1" in targets
    assert all(e.assessment.values[t] in ("unknown", "undetermined") or not e.settled(t) for t in targets)
    assert "procedure.mode_of_trial" not in targets  # settled: nothing unknown could change it
    ranked = e.missing()
    assert ranked[0].fact == "purpose_distress_anxiety"


def test_ask_puts_first_what_could_overturn_a_provisional_offence():
    """The WhatsApp case is made out, provisionally: a denial of purpose, or a mutual exchange,
    would overturn it. Those facts come before ones that only settle a sentencing factor."""
    e = explanation(WHATSAPP)
    assert e.assessment.values["offence.mca_s1"] == "made_out" and not e.settled("offence.mca_s1")
    assert "offence.mca_s1" in e.targets()
    ranked = [q.fact for q in e.missing()]
    assert set(ranked[:3]) == {"purpose_distress_anxiety", "mutual_exchange", "joke_or_satire"}
    out = run("ask", str(WHATSAPP)).output
    assert "would change offence.mca_s1 (now made out): if no: not made out; if yes: made out, as now" in out


def test_settled_and_provisional():
    e = explanation(WHATSAPP)
    status = e.status()
    assert status["procedure.mode_of_trial"] == "settled"
    assert status["element.purpose"] == "provisional"  # an admission, or its denial, would change it
    data = json.loads(run("assess", str(WHATSAPP), "--json").output)
    assert data["status"] == status


def test_settled_is_sound_no_single_unknown_fact_changes_a_settled_conclusion():
    e = explanation(WHATSAPP)
    settled = [c for c, s in e.status().items() if s == "settled"]
    for question in e.missing(None) + [q for c in settled for q in e.missing(c)]:
        assert not any(effect.conclusion in settled for effect in question.effects)


def test_trace_numbers_the_firings_and_step_waits_for_enter():
    out = run("trace", str(FAKE)).output
    assert out.startswith("  1. ")
    stepped = run("trace", str(FAKE), "--step", input="\n\nq\n")
    assert stepped.output.count("=> ") == 3


def test_explain_steps_writes_one_diagram_per_firing_that_adds_to_it(tmp_path):
    out = tmp_path / "slides"
    result = run("explain", str(FAKE), "evidence.strength", "--steps", str(out), "-f", "dot")
    assert result.exit_code == 0
    files = sorted(out.iterdir())
    e = explanation(FAKE)
    rules = {n for n, d in graph.justification(e.graph, "evidence.strength").nodes(data=True) if d["kind"] == "rule"}
    expected = sum(1 for f in e.assessment.firings if graph.rule_node(f.rule.id) in rules)
    assert 1 <= len(files) <= expected  # a firing that adds nothing drawn gets no slide
    hidden = [f.read_text().count("style=invis") for f in files]
    assert hidden == sorted(hidden, reverse=True) and len(set(hidden)) == len(hidden)  # each adds to the last
    assert hidden[-1] == 0


def test_every_command_has_json():
    for args in (
        ["why", str(WHATSAPP), "offence.mca_s1"],
        ["why-not", str(WHATSAPP), "outcome.likely=nfa_evidential"],
        ["ask", str(MEME)],
        ["what-if", str(WHATSAPP), "--set", "mutual_exchange=true"],
        ["trace", str(FAKE)],
        ["explain", str(FAKE), "evidence.strength"],
    ):
        result = run(*args, "--json")
        assert result.exit_code == 0, args
        json.loads(result.output)


def test_a_defeat_is_drawn_as_its_own_edge():
    g = explanation(MEME).graph
    defeats = [(u, v) for u, v, d in g.edges(data=True) if d["kind"] == "defeats"]
    assert ("concl:purpose.circumstances", "concl:element.purpose") in defeats
    assert nx.is_directed_acyclic_graph(g)


def test_unknown_facts_look_unknown_in_the_diagram():
    g = explanation(WHATSAPP).graph
    source = dot.render(g, "dot").decode()
    node = g.nodes["fact:purpose_distress_anxiety"]
    assert node["unknown"] and not node["given"]
    line = next(line for line in source.splitlines() if '"fact/purpose_distress_anxiety" [' in line)
    assert "dashed" in line and "not given: unknown" in line


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_no_fact_floats_unconnected_in_a_diagram(path):
    """The offence date only selects the rules in force: where no edge from it is drawn, it is not
    drawn either (the title gives it), rather than floating beside the facts that are used."""
    import re

    kb = load_kb()
    e = explanation(path)
    floating = []
    for conclusion in kb.public_conclusions():
        source = dot.render(graph.justification(e.graph, conclusion), "dot").decode()
        facts = set(re.findall(r'^\t\t"(fact/[^"]+)" \[', source, flags=re.M))
        linked = set(re.findall(r'^\t"(fact/[^"]+)" ->', source, flags=re.M))
        floating += [f"{conclusion}: {fact}" for fact in sorted(facts - linked)]
        assert "Offence date " + e.assessment.case.offence_date.isoformat() in source
    assert floating == []


@pytest.mark.parametrize(
    "name,path,conclusion",
    [
        ("whatsapp-offence", WHATSAPP, "offence.mca_s1"),
        ("fake-profile-evidence", FAKE, "evidence.strength"),
    ],
)
def test_golden_dot(name, path, conclusion, update_golden):
    e = explanation(path)
    source = dot.render(graph.justification(e.graph, conclusion), "dot").decode()
    golden = GOLDEN / f"{name}.dot"
    if update_golden:
        golden.write_text(source)
    assert golden.exists(), f"{golden} is missing: run pytest --update-golden and review it"
    assert source == golden.read_text(), "the diagram changed: run pytest --update-golden and review the git diff"


def test_settled_is_sound_under_random_completions():
    """A conclusion marked settled keeps its value whatever values the unknown facts take."""
    import datetime as dt
    import random

    from kbcheck.engine.case import Case, check_constraints
    from kbcheck.engine.errors import CaseError

    kb = load_kb()
    rng = random.Random(7)
    from kbcheck.engine.analysis import Analysis
    from kbcheck.engine.api import compiled

    analysis = Analysis(compiled(kb))
    bases = [read_case(p, kb) for p in CASES] + [
        Case(id="empty", offence_date=dt.date(2025, 1, 1), assessment_date=dt.date(2025, 2, 1))
    ]
    for base in bases:
        e = Explanation(assess(base, kb))
        settled = {c: e.assessment.value(c) for c, s in e.status().items() if s == "settled"}
        unknown = [n for n, f in kb.facts.items() if not f.header and n not in base.given]
        for _ in range(25):
            given = dict(base.given)
            for name in unknown:
                value = rng.choice(analysis.values_of(name))
                if value != "unknown":
                    given[name] = value
            case = Case(
                id="completion",
                offence_date=base.offence_date,
                assessment_date=base.assessment_date,
                jurisdiction=base.jurisdiction,
                given=given,
            )
            try:
                check_constraints(kb, case, "completion")
            except CaseError:
                continue
            other = assess(case, kb)
            for conclusion, value in settled.items():
                assert other.value(conclusion) == value, (base.id, conclusion, given)


def test_a_default_jurisdiction_is_not_reported_as_given(tmp_path):
    """A case that leaves out `jurisdiction` is judged in England and Wales by default; why and
    the diagram say so, and never "you said so"."""
    text = WHATSAPP.read_text()
    assert "\njurisdiction:" not in text
    out = run("why", str(WHATSAPP), "law.mca_s1_applies").output
    assert "jurisdiction = england_and_wales  (England and Wales, by default)" in out
    given = tmp_path / "given.yaml"
    given.write_text(text.replace("\noffence_date:", "\njurisdiction: england_and_wales\noffence_date:", 1))
    out = run("why", str(given), "law.mca_s1_applies").output
    assert "jurisdiction = england_and_wales  (you said so)" in out
    source = dot.render(graph.justification(explanation(WHATSAPP).graph, "law.mca_s1_applies"), "dot").decode()
    assert 'england_and_wales</B></TD></TR><TR><TD ALIGN="CENTER"><I>by default</I>' in source


def test_a_diagram_marks_provisional_conclusions_and_unknown_premises():
    """The WhatsApp offence is made out provisionally (purpose is inferred while the facts that
    could defeat it are unknown): the diagram says so, and draws the unknown facts' edges dashed."""
    e = explanation(WHATSAPP)
    shown = graph.justification(e.graph, "offence.mca_s1")
    assert shown.nodes[graph.conclusion_node("offence.mca_s1")]["settled"] is False
    assert shown.nodes[graph.conclusion_node("element.content")]["settled"] is True
    source = dot.render(shown, "dot").decode()
    made_out = next(line for line in source.splitlines() if line.strip().startswith('"concl/offence.mca_s1" ['))
    assert "<I>provisional</I>" in made_out
    content = next(line for line in source.splitlines() if line.strip().startswith('"concl/element.content" ['))
    assert "provisional" not in content
    edge = next(line for line in source.splitlines() if line.strip().startswith('"fact/mutual_exchange" ->'))
    assert "style=dashed" in edge
    edge = next(line for line in source.splitlines() if line.strip().startswith('"fact/medium" ->'))
    assert "dashed" not in edge


def test_why_an_empty_list_shows_why_each_member_is_not_in_it():
    out = run("why", str(WHATSAPP), "evidence.weaknesses").output
    assert out.startswith("evidence.weaknesses = (none)")
    assert "evidence.weaknesses[identification] = no" in out
    assert (
        "because identification is not a weakness  [Code for Crown Prosecutors evidential stage (2018 paras 4.6-4.8)]"
        in out
    )
    full = run("why", str(WHATSAPP), "alternatives").output  # not empty: the members in it, only
    members = [line for line in full.splitlines() if line.startswith(("├─ ", "└─ "))]
    assert "├─ alternatives[pha1997.s2] = yes" in "\n".join(members).replace("└─", "├─")
    assert all(" = yes  (asks" in line for line in members)

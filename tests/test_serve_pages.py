"""kbcheck serve's page and the fragments it swaps in as the form changes, through the server's
own routes: what a trainer sees after each change, each click and each step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kbcheck.engine import assess, load_kb, read_case
from kbcheck.engine.case import read_case_text
from kbcheck.explain.web import create_app, forms

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "whatsapp-director.yaml"


@pytest.fixture(scope="module")
def kb():
    return load_kb()


@pytest.fixture(scope="module")
def client(kb) -> TestClient:
    return TestClient(create_app(kb))


@pytest.fixture(scope="module")
def example_form(kb) -> dict[str, str]:
    case = read_case(EXAMPLE, kb)
    return forms.form_values(case)


def previous_of(html: str) -> str:
    import html as html_module

    found = re.search(r'id="previous" value="([^"]*)"', html)
    assert found, "no previous field"
    return html_module.unescape(found.group(1))


def test_the_page_opens_an_example_as_a_form_with_its_facts_chosen(client):
    page = client.get("/?example=whatsapp-director")
    assert page.status_code == 200
    html = page.text
    assert 'value="whatsapp-director"' in html
    chosen = re.search(r'<select name="f.sender_identified"[^>]*>(.*?)</select>', html, re.S)
    assert chosen and '<option value="true" selected>' in chosen.group(1)
    unknown = re.search(r'<select name="f.fake_or_anonymous_account"[^>]*>(.*?)</select>', html, re.S)
    assert unknown and '<option value="unknown" selected>' in unknown.group(1)
    assert 'name="f.message_count"' in html and 'value="5"' in html
    # every fact of the vocabulary is a field, with its question
    kb = load_kb()
    for fact in kb.facts.values():
        if not fact.header:
            assert f'name="f.{fact.name}"' in html, fact.name
    missing = client.get("/?example=nothing-like-it")
    assert missing.status_code == 404 and "There is no example called nothing-like-it" in missing.text


def test_a_new_case_has_every_fact_unknown(client):
    html = client.get("/?new=1").text
    assert "new-case" in html and " selected>true<" not in html


def test_the_conclusions_come_by_stage_with_their_status_and_reasons(client, example_form):
    html = client.post("/ui/assess", data=example_form).text
    assert 'id="stage-offence"' in html and 'id="stage-evidence"' in html
    row = re.search(r'<li class="conclusion" id="c-offence.mca_s1" data-value="made_out">(.*?)</li>', html, re.S)
    assert row and "made out" in row.group(1) and "provisional" in row.group(1)
    assert "legislation.gov.uk/ukpga/1988/27/section/1" in row.group(1)
    assert 'id="h-offence.mca_s1"' in html  # the headline
    assert 'id="last-change"' not in html  # nothing changed yet


def test_a_change_shows_what_it_changed_and_why(client, example_form):
    first = client.post("/ui/assess", data=example_form).text
    changed = dict(example_form, previous=previous_of(first), **{"f.sender_identified": "false"})
    html = client.post("/ui/assess", data=changed).text
    box = html[html.index('id="last-change"') :]
    assert "<code>sender_identified</code>: true → <b>false</b>" in box
    item = re.search(r'<li id="change-evidence.strength">(.*?)</li>', box, re.S)
    assert item and 'was <span class="old">strong</span>, now <b class="new">weak</b>' in item.group(1)
    assert "now, because" in item.group(1) and "before, because" in item.group(1)
    assert 'id="change-outcome.likely"' in box
    assert re.search(r'<li class="conclusion changed" id="c-evidence.strength"', html)
    # the next change is measured from this one
    assert '"sender_identified": false' in previous_of(html)


def test_moving_the_offence_date_shows_the_law_that_moves(client, example_form):
    before = dict(example_form, offence_date="2024-01-30")
    first = client.post("/ui/assess", data=before).text
    after = dict(before, offence_date="2024-01-31", previous=previous_of(first))
    html = client.post("/ui/assess", data=after).text
    move = html[html.index('id="law-move"') :]
    assert "offence date 2024-01-30 → 2024-01-31" in move
    going = re.findall(r'<li class="going">(.*?)</li>', move, re.S)
    coming = re.findall(r'<li class="coming">(.*?)</li>', move, re.S)
    assert any("threat" in g.lower() for g in going) and any("181" in c for c in coming)


def test_a_bad_value_is_one_line_naming_the_field(client, example_form):
    html = client.post("/ui/assess", data=dict(example_form, **{"f.message_count": "lots"})).text
    assert 'class="error"' in html and "message_count" in html and "Traceback" not in html
    no_date = client.post("/ui/assess", data=dict(example_form, offence_date="")).text
    assert 'class="error"' in no_date and "offence_date" in no_date


def test_why_draws_the_diagram_and_the_tree_with_each_rule_linked(client, example_form):
    html = client.post("/ui/why", data=dict(example_form, conclusion="offence.mca_s1")).text
    assert "<svg" in html and 'role="img"' in html and "<?xml" not in html
    assert 'id="tree"' in html and 'href="https://www.legislation.gov.uk/ukpga/1988/27/section/1"' in html
    assert "(you said so)" in html
    assert re.findall(r'class="whynot"[^>]*>([^<]*)<', html, re.S) == ["not made out", "undetermined"]
    not_html = client.post("/ui/why-not", data=dict(example_form, conclusion="offence.mca_s1", value="not_made_out"))
    assert "Why not <code>offence.mca_s1</code> = not made out? It is made out." in not_html.text
    assert "did not fire" in not_html.text
    bad = client.post("/ui/why", data=dict(example_form, conclusion="offence.mca")).text
    assert 'class="error"' in bad and "did you mean" in bad


def node_positions(html: str) -> dict[str, str]:
    """Each node's title and the first coordinates drawn for it."""
    out = {}
    for group in re.split(r'(?=<g id="node\d+")', html)[1:]:
        title = re.search(r"<title>(.*?)</title>", group)
        where = re.search(r'(?:points|cx|x)="([^"]+)"', group)
        assert title and where
        out[title.group(1)] = where.group(1)
    return out


def test_stepping_keeps_the_layout_and_marks_the_newest_firing(client, example_form):
    def step(n: int) -> str:
        return client.post("/ui/step", data=dict(example_form, conclusion="offence.mca_s1", n=str(n))).text

    first, second, last = step(1), step(2), step(999)
    total = int(re.search(r"Step 1 of (\d+)", first).group(1))
    assert total > 5 and f"Step {total} of {total}" in last
    # What is not yet reached is not drawn; what is drawn stays where the last step has it
    one, two, every = node_positions(first), node_positions(second), node_positions(last)
    assert 0 < len(one) < len(two) < len(every) and len(every) > 10
    assert all(every[name] == where for name, where in one.items())
    assert all(every[name] == where for name, where in two.items())
    assert 'class="node new"' in first and 'class="node new"' in second
    assert len(re.findall(r'class="node new"', second)) < len(two)  # only what step 2 added
    assert "disabled>« First" in first and "disabled>Next" in last


def test_save_writes_the_case_file_the_cli_reads_back_to_the_same_conclusions(client, kb, example_form):
    edited = dict(example_form, **{"f.fake_or_anonymous_account": "true"})
    response = client.post("/ui/save", data=edited)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="whatsapp-director.yaml"'
    saved = read_case_text(response.text, kb, "saved.yaml")
    assert saved.given["fake_or_anonymous_account"] is True
    assert assess(saved, kb).conclusions() == assess(forms.read_form(kb, edited), kb).conclusions()


def test_open_reads_a_case_file_or_shows_its_one_line_error(client):
    good = client.post("/ui/open", files={"file": ("mine.yaml", EXAMPLE.read_bytes(), "application/yaml")})
    assert good.status_code == 200 and 'value="whatsapp-director"' in good.text
    bad = client.post("/ui/open", files={"file": ("bad.yaml", b"case: x\noffence_date: 2025-02-30\nfacts: {}\n")})
    assert bad.status_code == 400
    assert 'id="notice"' in bad.text and "bad.yaml:2: offence_date" in bad.text


def test_questions_list_the_most_decisive_unknown_facts_with_answers(client, example_form):
    html = client.post("/ui/questions", data=example_form).text
    from kbcheck.explain.explanation import Explanation

    kb = load_kb()
    ranked = [q.fact for q in Explanation(assess(read_case(EXAMPLE, kb), kb)).missing()]
    shown = re.findall(r'<li class="question" id="q-([a-z_]+)"', html)
    assert shown == ranked[:8]  # as `kbcheck ask` ranks them
    assert f"and {len(ranked) - 8} more facts" in html
    assert 'data-fact="f.purpose_distress_anxiety" data-value="true"' in html
    assert "<code>offence.mca_s1</code> (now made out)" in html


def test_print_gives_the_report_of_the_case_as_it_stands(client, example_form):
    html = client.post("/ui/report", data=dict(example_form, **{"f.sender_identified": "false"})).text
    assert html.startswith("<!doctype html>") or html.lower().startswith("<!doctype html>")
    assert "whatsapp-director" in html and "no_suspect_identified" in html.replace(
        "no suspect identified", "no_suspect_identified"
    )


def test_text_from_the_case_is_escaped(client, example_form):
    html = client.post("/ui/assess", data=dict(example_form, title="<script>alert(1)</script>")).text
    assert "<script>" not in html
    page = client.post(
        "/ui/open", files={"file": ("x.yaml", b"case: x\ntitle: '<b>bold</b>'\noffence_date: 2025-01-01\nfacts: {}\n")}
    )
    assert "<b>bold</b>" not in page.text and "&lt;b&gt;bold&lt;/b&gt;" in page.text


def test_a_series_is_shown_read_only_with_its_communications_and_timeline(client):
    series = EXAMPLE.parent / "series-2024-repeal.yaml"
    opened = client.post("/ui/open", files={"file": ("series.yaml", series.read_bytes(), "application/yaml")})
    assert opened.status_code == 200
    html = opened.text
    assert "lists 4 communications" in html and "--timeline" in html
    assert 'id="comm-b3"' in html and "indecent_or_grossly_offensive; either way" in html
    assert "osa2023.s181" in html and "the case rests on it" in html
    assert "<svg" in html and "2024-01-31: the law changes" in html.replace("&#45;", "-")
    assert 'id="case-form"' not in html  # nothing to edit
    assert "series-2024-repeal" in client.get("/").text  # offered among the examples
    assert 'id="comm-a3"' in client.get("/?example=series-2015-either-way").text
    api = client.post("/api/assess", json={"case": read_case(series, load_kb()).to_data()})
    assert api.status_code == 200 and api.json()["series"]["communications"] == 4

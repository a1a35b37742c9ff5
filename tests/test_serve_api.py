"""kbcheck serve's JSON API: each endpoint answers with what the CLI command of its name prints
with --json, follows that command's schema, and answers bad input with a 4xx and one line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kbcheck.cli.main import cli
from kbcheck.engine import load_kb
from kbcheck.engine.result import SCHEMA_VERSION
from kbcheck.explain import schemas
from kbcheck.explain.web import create_app
from kbcheck.explain.web.app import MAX_BODY_BYTES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "whatsapp-director.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(load_kb()))


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def validate(name: str, data: object) -> None:
    jsonschema.validate(data, schemas.load(name), cls=jsonschema.Draft202012Validator)


def error_of(response) -> str:  # type: ignore[no-untyped-def]
    data = response.json()
    validate("error", data)
    assert "Traceback" not in data["error"]
    return data["error"]


CASES = {
    "assess": ({}, ("assess", str(EXAMPLE))),
    "why": ({"conclusion": "offence.mca_s1"}, ("why", str(EXAMPLE), "offence.mca_s1")),
    "why-not": (
        {"conclusion": "outcome.likely", "value": "nfa_evidential"},
        ("why-not", str(EXAMPLE), "outcome.likely=nfa_evidential"),
    ),
    "ask": ({"top": 3}, ("ask", str(EXAMPLE), "--top", "3")),
    "what-if": (
        {"set": {"sender_identified": False}, "offence_date": "2023-06-01"},
        ("what-if", str(EXAMPLE), "--set", "sender_identified=false", "--offence-date", "2023-06-01"),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_endpoint_answers_as_the_cli_does_and_follows_its_schema(client, name):
    extra, args = CASES[name]
    response = client.post(f"/api/{name}", json={"case_yaml": TEXT, **extra})
    assert response.status_code == 200, response.text
    data = response.json()
    assert next(iter(data)) == "schema_version" and data["schema_version"] == SCHEMA_VERSION
    validate(name, data)
    assert data == cli_json(*args)


def test_a_case_may_be_sent_as_json_or_as_yaml_text_with_the_same_result(client):
    import yaml

    as_json = yaml.safe_load(TEXT)
    as_json["offence_date"] = str(as_json["offence_date"])
    as_json["assessment_date"] = str(as_json["assessment_date"])
    one = client.post("/api/assess", json={"case": as_json}).json()
    two = client.post("/api/assess", json={"case_yaml": TEXT}).json()
    assert one["conclusions"] == two["conclusions"] and one["conclusions"]["offence.mca_s1"] == "made_out"


def test_explain_draws_the_svg_of_a_conclusion_or_a_stage(client):
    response = client.post("/api/explain", json={"case_yaml": TEXT, "conclusion": "offence.mca_s1"})
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    assert response.text.lstrip().startswith("<?xml") and "mca1988.s1_1" in response.text
    stage = client.post("/api/explain", json={"case_yaml": TEXT, "stage": "evidence"})
    assert stage.status_code == 200 and "evidence.strength" in stage.text
    bad = client.post("/api/explain", json={"case_yaml": TEXT, "stage": "nowhere"})
    assert bad.status_code == 400 and "stage: expected one of" in error_of(bad)


def test_the_vocabulary_and_the_conclusions_are_served_as_the_cli_lists_them(client):
    assert client.get("/api/facts").json() == cli_json("facts")
    assert client.get("/api/conclusions").json() == cli_json("conclusions")


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"case": {"case": "x", "offence_date": "2025-13-01", "facts": {}}}, 400, "offence_date: '2025-13-01'"),
        ({"case": {"case": "x", "offence_date": "2025-01-01", "facts": {"medium": "pigeon"}}}, 400, "medium"),
        ({"case_yaml": "case: x\noffence_date: 2025-01-01\nfacts: {sendr_identified: true}\n"}, 400, "sendr"),
        ({}, 400, "give the case as `case`"),
        ({"case_yaml": TEXT, "case": {}}, 400, "one of them"),
        ({"case_yaml": TEXT, "colour": "red"}, 422, "colour"),
        ({"case_yaml": "case: [unclosed\n"}, 400, "<request>"),
    ],
)
def test_a_bad_case_is_a_4xx_with_the_cli_s_one_line(client, body, status, words):
    response = client.post("/api/assess", json=body)
    assert response.status_code == status
    message = error_of(response)
    assert words in message and "\n" not in message


def test_names_the_kb_does_not_know_are_refused_with_the_nearest(client):
    why = client.post("/api/why", json={"case_yaml": TEXT, "conclusion": "offence.mca_s"})
    assert why.status_code == 400 and "did you mean offence.mca_s1?" in error_of(why)
    not_value = client.post("/api/why-not", json={"case_yaml": TEXT, "conclusion": "offence.mca_s1", "value": "maybe"})
    assert not_value.status_code == 400 and "not a value of offence.mca_s1" in error_of(not_value)
    what_if = client.post("/api/what-if", json={"case_yaml": TEXT, "set": {"nonsense": True}})
    assert what_if.status_code == 400 and "set.nonsense" in error_of(what_if)
    typed = client.post("/api/what-if", json={"case_yaml": TEXT, "set": {"sender_identified": "yes"}})
    assert typed.status_code == 400 and "expected true, false or unknown" in error_of(typed)
    nothing = client.post("/api/what-if", json={"case_yaml": TEXT})
    assert nothing.status_code == 400 and "nothing to change" in error_of(nothing)
    top = client.post("/api/ask", json={"case_yaml": TEXT, "top": 0})
    assert top.status_code == 422 and "top" in error_of(top)


def test_malformed_json_and_unknown_paths_get_one_line(client):
    broken = client.post("/api/assess", content=b"{bad", headers={"content-type": "application/json"})
    assert broken.status_code == 422 and "not valid JSON" in error_of(broken)
    missing = client.get("/api/nowhere")
    assert missing.status_code == 404 and error_of(missing) == "Not Found"
    wrong = client.get("/api/assess")
    assert wrong.status_code == 405


def test_a_body_past_the_limit_is_refused_before_it_is_assessed(client):
    big = json.dumps({"case_yaml": "# " + "x" * MAX_BODY_BYTES}).encode()
    response = client.post("/api/assess", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger than" in error_of(response)

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    streamed = client.post("/api/assess", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    page = client.post("/ui/assess", content=b"a=" + b"x" * MAX_BODY_BYTES)
    assert page.status_code == 413


def test_an_engine_failure_is_a_500_with_one_line_and_no_trace():
    app = create_app(load_kb())

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = TestClient(app, raise_server_exceptions=False).get("/api/boom")
    assert response.status_code == 500
    message = error_of(response)
    assert "RuntimeError" in message and "secret internals" not in message


def test_the_openapi_document_lists_every_endpoint_and_no_page_loads_from_outside(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/assess", "/api/why", "/api/why-not", "/api/what-if", "/api/ask", "/api/explain"} <= set(spec["paths"])
    assert not any(path.startswith("/ui") for path in spec["paths"])
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN
    page = client.get("/").text
    assert "http://" not in page.replace('href="http', "") and "https://" not in page.replace('href="https', "")


def test_serve_refuses_a_port_in_use_and_a_bad_case_with_one_line():
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        busy = CliRunner().invoke(cli, ["serve", "--no-browser", "--port", str(port)])
    finally:
        taken.close()
    assert busy.exit_code == 2 and busy.output.startswith(f"Error: --host 127.0.0.1 --port {port}: cannot listen")
    assert len(busy.output.strip().splitlines()) == 1
    bad = CliRunner().invoke(cli, ["serve", "--no-browser", str(ROOT / "no-such-case.yaml")])
    assert bad.exit_code == 2 and "no-such-case.yaml" in bad.output and "Traceback" not in bad.output

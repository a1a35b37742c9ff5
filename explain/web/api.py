"""The JSON API beside the page: each endpoint takes a case (as the JSON of a case file, or the
YAML text of one) and answers with the same JSON as the CLI command of its name with --json.
A bad case is a 400 with the one line the CLI would print; FastAPI documents the endpoints at
/openapi.json."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kbcheck.engine import assess
from kbcheck.engine.case import Case, case_from_data, check_value, read_case_text
from kbcheck.engine.dates import parse_date
from kbcheck.engine.errors import CaseError
from kbcheck.engine.result import Assessment
from kbcheck.explain import dot, graph, names, serialize
from kbcheck.explain.explanation import Explanation
from kbcheck.explain.vocabulary import conclusions_json, facts_json

router = APIRouter(prefix="/api", tags=["api"])
LABEL = "<request>"


class CaseBody(BaseModel):
    """A case: `case` holds a case file's contents as JSON (docs/case-format.md), or `case_yaml`
    the text of a YAML case file. Exactly one of them. Unknown keys are refused, as in a case file."""

    model_config = ConfigDict(extra="forbid")

    case: dict[str, Any] | None = Field(default=None, description="The case file as a JSON object.")
    case_yaml: str | None = Field(default=None, description="The text of a YAML case file.")


class ConclusionBody(CaseBody):
    conclusion: str = Field(description="A conclusion of the KB, e.g. offence.mca_s1")


class WhyNotBody(ConclusionBody):
    value: str = Field(description="The value it did not take (for a list: a member)")


class AskBody(CaseBody):
    conclusion: str | None = Field(default=None, description="Only what could settle this conclusion")
    top: int | None = Field(default=None, ge=1, description="Only the N most decisive facts")


class WhatIfBody(CaseBody):
    set: dict[str, Any] = Field(default_factory=dict, description="Facts to change: {fact: value or 'unknown'}")
    offence_date: str | None = Field(default=None, description="Move the offence to this date (YYYY-MM-DD)")
    assessment_date: str | None = Field(default=None, description="Assess on this date (YYYY-MM-DD)")


class ExplainBody(CaseBody):
    conclusion: str | None = Field(default=None, description="Draw this conclusion's justification")
    stage: str | None = Field(default=None, description="Or draw one stage")


def payload(data: dict[str, Any]) -> JSONResponse:
    """A response as the CLI's echo_json prints it: schema_version first."""
    return JSONResponse(serialize.versioned(data))


def read_body_case(request: Request, body: CaseBody) -> Case:
    kb = request.app.state.server.kb
    if (body.case is None) == (body.case_yaml is None):
        raise CaseError(LABEL, "give the case as `case` (a JSON object) or as `case_yaml` (YAML text), one of them")
    if body.case_yaml is not None:
        return read_case_text(body.case_yaml, kb, label=LABEL)
    return case_from_data(kb, body.case, LABEL)


def assessed(request: Request, body: CaseBody) -> Assessment:
    server = request.app.state.server
    return assess(read_body_case(request, body), server.kb, server.engine)


@router.post("/assess", summary="Assess a case (kbcheck assess --json)")
def api_assess(request: Request, body: CaseBody) -> JSONResponse:
    result = assessed(request, body)
    return payload(dict(result.to_json(), status=Explanation(result).status()))


@router.post("/why", summary="Why a conclusion has its value (kbcheck why --json)")
def api_why(request: Request, body: ConclusionBody) -> JSONResponse:
    result = assessed(request, body)
    name = names.conclusion_name(result.kb, body.conclusion)
    return payload(serialize.why_json(result.kb, Explanation(result).why(name)))


@router.post("/why-not", summary="Why a conclusion does not have a value (kbcheck why-not --json)")
def api_why_not(request: Request, body: WhyNotBody) -> JSONResponse:
    result = assessed(request, body)
    conclusion, value = names.target(result.kb, body.conclusion, body.value)
    attempts = Explanation(result).why_not(conclusion, value)
    return payload(serialize.why_not_json(result.kb, conclusion, value, result.values[conclusion], attempts))


@router.post("/ask", summary="The facts that would settle what is open (kbcheck ask --json)")
def api_ask(request: Request, body: AskBody) -> JSONResponse:
    result = assessed(request, body)
    explanation = Explanation(result)
    name = names.conclusion_name(result.kb, body.conclusion) if body.conclusion else None
    questions = explanation.missing(name)
    if body.top is not None:
        questions = questions[: body.top]
    return payload(serialize.ask_json(questions, explanation.targets(name)))


def _date(field: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise CaseError(LABEL, str(exc), field=field) from None


@router.post("/what-if", summary="Re-assess with changed facts or dates (kbcheck what-if --json)")
def api_what_if(request: Request, body: WhatIfBody) -> JSONResponse:
    result = assessed(request, body)
    kb = result.kb
    changes: dict[str, Any] = {}
    for name, value in body.set.items():
        fact = kb.facts.get(name)
        if fact is None:
            raise CaseError(LABEL, "not a fact of the vocabulary; GET /api/facts lists them", field=f"set.{name}")
        if fact.header and name != "jurisdiction":
            raise CaseError(
                LABEL, "a date of the case: give it as offence_date or assessment_date", field=f"set.{name}"
            )
        try:
            changes[name] = check_value(fact, value)
        except ValueError as exc:
            raise CaseError(LABEL, str(exc), field=f"set.{name}") from None
    offence = _date("offence_date", body.offence_date)
    assessment = _date("assessment_date", body.assessment_date)
    if not changes and offence is None and assessment is None:
        raise CaseError(LABEL, "nothing to change: give set, offence_date or assessment_date")
    after, changed = Explanation(result).what_if(changes, offence, assessment)
    edits = serialize.edits(changes, body.offence_date, body.assessment_date)
    return payload(serialize.what_if_json(kb, result, after, changed, edits))


@router.post(
    "/explain",
    summary="The justification diagram as SVG (kbcheck explain -f svg)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def api_explain(request: Request, body: ExplainBody) -> Response:
    result = assessed(request, body)
    kb = result.kb
    full = graph.build(result)
    if body.conclusion and body.stage:
        raise CaseError(LABEL, "give a conclusion or a stage, not both")
    if body.conclusion:
        shown = graph.justification(full, names.conclusion_name(kb, body.conclusion))
    elif body.stage:
        if body.stage not in kb.stages:
            raise CaseError(LABEL, f"expected one of {', '.join(kb.stages)}", field="stage")
        shown = graph.stage(full, body.stage)
    else:
        shown = full
    return Response(dot.render(shown, "svg"), media_type="image/svg+xml")


@router.get("/facts", summary="The fact vocabulary (kbcheck facts --json)")
def api_facts(request: Request) -> JSONResponse:
    return payload({"facts": facts_json(request.app.state.server.kb)})


@router.get("/conclusions", summary="The conclusions of the KB (kbcheck conclusions --json)")
def api_conclusions(request: Request) -> JSONResponse:
    return payload({"conclusions": conclusions_json(request.app.state.server.kb)})

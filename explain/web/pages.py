"""The page: the case as a form, and the fragments htmx swaps into it as the form changes. Each
request carries the whole form, so the server keeps no state between requests beyond the KB; the
form's hidden `previous` field holds the case as last assessed, which is what a change is
measured from."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from kbcheck.engine import KbcheckError, assess
from kbcheck.engine.case import Case, case_from_data, read_case, read_case_text
from kbcheck.engine.errors import printable
from kbcheck.engine.result import Assessment
from kbcheck.explain import names
from kbcheck.explain.explanation import Explanation, changes_between

from . import diagrams, forms, views

router = APIRouter(include_in_schema=False)
TOP_QUESTIONS = 8


def _server(request: Request) -> Any:
    return request.app.state.server


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _fields(form: FormData) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _series_page(request: Request, case: Case) -> HTMLResponse:
    """A series, read-only: its summary, the case's headline, each communication, the timeline."""
    from markupsafe import Markup

    from kbcheck.explain import dot, style, timeline
    from kbcheck.explain.report import KEY_CONCLUSIONS
    from kbcheck.explain.series_view import rows, summary

    server = _server(request)
    result = assess(case, server.kb, server.engine)
    stages = views.conclusion_stages(result, Explanation(result).status(), [])
    svg = timeline.render(result, "svg", style.SCREEN)
    return _render(
        request,
        "series.html.j2",
        case=case,
        summary=summary(result),
        headline=views.headline(stages, KEY_CONCLUSIONS),
        communications=rows(result),
        timeline=Markup(dot.svg_element(svg, 'role="img" aria-label="the series as a timeline"')),
        examples=sorted(server.examples),
        engine=server.engine,
    )


def _page(request: Request, case: Case, notice: str = "", status: int = 200) -> HTMLResponse:
    server = _server(request)
    if case.communications:  # the form holds one communication's facts: a series is shown, not edited
        return _series_page(request, case)
    values = forms.form_values(case)
    return _render(
        request,
        "page.html.j2",
        status=status,
        case=case,
        values=values,
        groups=views.fact_groups(server.kb, values),
        jurisdictions=server.kb.facts["jurisdiction"].values,
        law_dates=views.law_dates(server.kb),
        examples=sorted(server.examples),
        previous=json.dumps(case.to_data(), ensure_ascii=False),
        notice=notice,
        engine=server.engine,
    )


@router.get("/", response_class=HTMLResponse)
def page(request: Request, example: str | None = None, new: bool = False) -> HTMLResponse:
    """The page, with the case the server was started with, an example, or a new case."""
    server = _server(request)
    if example is not None:
        path = server.examples.get(example)
        if path is None:
            blank = forms.blank_case(server.kb, server.today)
            return _page(request, blank, f"There is no example called {printable(example)}.", 404)
        return _page(request, read_case(path, server.kb))
    if new or server.case is None:
        return _page(request, forms.blank_case(server.kb, server.today))
    return _page(request, server.case)


@router.post("/ui/open", response_class=HTMLResponse)
async def open_file(request: Request, file: UploadFile) -> HTMLResponse:
    """A case file chosen from disk: opened as `kbcheck assess` would read it, or refused with its
    one-line error over a new case."""
    server = _server(request)
    label = printable(file.filename or "the file")
    raw = await file.read()
    try:
        case = read_case_text(raw.decode("utf-8"), server.kb, label=label, json_text=label.endswith(".json"))
    except UnicodeDecodeError:
        return _page(request, forms.blank_case(server.kb, server.today), f"{label}: not UTF-8 text", 400)
    except KbcheckError as exc:
        return _page(request, forms.blank_case(server.kb, server.today), exc.one_line(), 400)
    return _page(request, case)


def _read(request: Request, fields: dict[str, str]) -> Assessment:
    server = _server(request)
    return assess(forms.read_form(server.kb, fields), server.kb, server.engine)


def _previous(request: Request, fields: dict[str, str]) -> Assessment | None:
    """The case as last assessed (the hidden field), or None if there is none or it is not valid."""
    server = _server(request)
    try:
        data = json.loads(fields.get("previous") or "null")
        if not isinstance(data, dict):
            return None
        return assess(case_from_data(server.kb, data, forms.LABEL), server.kb, server.engine)
    except (ValueError, KbcheckError):
        return None


def _edits(before: Case, after: Case) -> list[tuple[str, str, str]]:
    """(what, was, now) for each fact or date the last change touched."""
    out = []
    for name in ("offence_date", "assessment_date", "charge_date", "conviction_date", "jurisdiction"):
        was, now = before.value(name), after.value(name)
        if was != now:
            out.append((name, views.words(forms.field_text(was)), views.words(forms.field_text(now))))
    for name in sorted(set(before.given) | set(after.given)):
        was, now = before.given.get(name, "unknown"), after.given.get(name, "unknown")
        if was != now:
            out.append((name, views.words(forms.field_text(was)), views.words(forms.field_text(now))))
    return out


async def _assessed(request: Request) -> tuple[dict[str, str], Assessment]:
    """The form a fragment's request carries, and its case assessed. A KbcheckError (a bad field,
    a name the KB does not have) goes to the application's handler, which answers a page's
    request with the one-line message in place of the fragment (app.py)."""
    fields = _fields(await request.form())
    return fields, _read(request, fields)


@router.post("/ui/assess", response_class=HTMLResponse)
async def results(request: Request) -> HTMLResponse:
    """The conclusions by stage, what the last change changed and why, and the law that moved."""
    fields, result = await _assessed(request)
    before = _previous(request, fields)
    explanation = Explanation(result)
    changes = changes_between(before, result) if before is not None else []
    move = views.law_move(result.kb, before.case.offence_date, result.case.offence_date) if before else None
    from kbcheck.explain.report import KEY_CONCLUSIONS

    stages = views.conclusion_stages(result, explanation.status(), changes)
    return _render(
        request,
        "results.html.j2",
        result=result,
        headline=views.headline(stages, KEY_CONCLUSIONS),
        stages=stages,
        changes=changes,
        edits=_edits(before.case, result.case) if before else [],
        move=move,
        previous=json.dumps(result.case.to_data(), ensure_ascii=False),
    )


@router.post("/ui/questions", response_class=HTMLResponse)
async def questions(request: Request) -> HTMLResponse:
    """The facts not given that would settle what is open, as `kbcheck ask` ranks them."""
    fields, result = await _assessed(request)
    explanation = Explanation(result)
    found = explanation.missing()
    return _render(
        request,
        "questions.html.j2",
        questions=views.question_views(result.kb, found[:TOP_QUESTIONS]),
        more=max(0, len(found) - TOP_QUESTIONS),
        targets=explanation.targets(),
    )


@router.post("/ui/why", response_class=HTMLResponse)
async def why(request: Request) -> HTMLResponse:
    """A conclusion's justification: the diagram, the tree with each rule linked to its source,
    and a why-not for each value it did not take."""
    fields, result = await _assessed(request)
    name = names.conclusion_name(result.kb, fields.get("conclusion", ""))
    explanation = Explanation(result)
    kb = result.kb
    others = list(kb.lists[name].members) if name in kb.lists else list(kb.conclusions[name].values)
    current = result.value(name)
    others = [v for v in others if (v not in current if isinstance(current, list) else v != result.values[name])]
    return _render(
        request,
        "why.html.j2",
        name=name,
        value=views.words(current),
        svg=diagrams.why_svg(explanation, name),
        tree=explanation.why(name),
        kb=kb,
        others=others,
    )


@router.post("/ui/why-not", response_class=HTMLResponse)
async def why_not(request: Request) -> HTMLResponse:
    fields, result = await _assessed(request)
    conclusion, value = names.target(result.kb, fields.get("conclusion", ""), fields.get("value", ""))
    attempts = Explanation(result).why_not(conclusion, value)
    return _render(
        request,
        "whynot.html.j2",
        conclusion=conclusion,
        value=value,
        actual=views.words(result.values[conclusion]),
        attempts=attempts,
        kb=result.kb,
    )


@router.post("/ui/step", response_class=HTMLResponse)
async def step(request: Request) -> HTMLResponse:
    """Firing n of a conclusion's justification on the diagram's fixed layout."""
    fields, result = await _assessed(request)
    name = names.conclusion_name(result.kb, fields.get("conclusion", ""))
    try:
        number = int(fields.get("n") or "1")
    except ValueError:
        return _render(request, "error.html.j2", message="n: expected a step number")
    found = diagrams.step(Explanation(result), name, number)
    return _render(request, "step.html.j2", name=name, step=found, kb=result.kb)


@router.post("/ui/save")
async def save(request: Request) -> Response:
    """The case as a YAML case file, downloaded: the file `kbcheck assess` reads."""
    server = _server(request)
    case = forms.read_form(server.kb, _fields(await request.form()))
    text = forms.case_yaml(server.kb, case)
    headers = {"Content-Disposition": f'attachment; filename="{case.id}.yaml"'}
    return Response(text, media_type="application/yaml; charset=utf-8", headers=headers)


@router.post("/ui/report", response_class=HTMLResponse)
async def report(request: Request) -> HTMLResponse:
    """The report of `kbcheck report` for the case as it stands on the page, to print."""
    from kbcheck.explain import report as report_module

    fields, result = await _assessed(request)
    return HTMLResponse(report_module.html_report(result, report_module.DEFAULT_DIAGRAM))

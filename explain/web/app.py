"""The web application of `kbcheck serve`: one compiled KB held for the life of the server, the
page (pages.py), the JSON API (api.py), and the guards every request passes: a size limit on
request bodies, and errors answered in one line, never with a stack trace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kbcheck.engine import KbcheckError, load_kb
from kbcheck.engine.case import Case
from kbcheck.engine.errors import printable
from kbcheck.engine.model import KB
from kbcheck.engine.result import SCHEMA_VERSION
from kbcheck.engine.yamlio import MAX_CASE_BYTES

HERE = Path(__file__).parent
# A case file may be MAX_CASE_BYTES; a form or a JSON body carrying one, with its field names or
# quoting, somewhat more. Anything larger is refused before it is read.
MAX_BODY_BYTES = 2 * MAX_CASE_BYTES


@dataclass
class Server:
    """What the server holds: the KB (loaded and compiled once), the engine, the case it opened
    with, and the folder of examples it offers."""

    kb: KB
    engine: str = "durable"
    case: Case | None = None
    examples: dict[str, Path] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)


def error_json(status: int, message: str) -> JSONResponse:
    """An error as the API gives it: the contract's version and one printable line."""
    line = printable(" ".join(str(message).split()))
    return JSONResponse({"schema_version": SCHEMA_VERSION, "error": line}, status_code=status)


class BodyLimit:
    """Refuse a request body past `limit` bytes with 413: by its Content-Length before reading,
    and by counting as it arrives when it has none (chunked)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await error_json(400, "Content-Length is not a number")(scope, receive, send)
                    return
                if declared > self.limit:
                    await self._refuse(scope, receive, send)
                    return
        seen = 0
        refused = False

        async def counted() -> Message:
            # Past the limit: answer 413 at once, and tell the application the client has gone,
            # so that whatever it was doing with the body ends without an answer of its own.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    await self._refuse(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counted, guarded)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_json(413, f"the request body is larger than {self.limit} bytes, the most kbcheck reads")
        await response(scope, receive, send)


def examples_folder() -> Path | None:
    """The example cases shipped with kbcheck: kbcheck/examples installed, ./examples in a
    checkout (the same place, relative to this package)."""
    folder = HERE.parent.parent / "examples"
    return folder if folder.is_dir() and any(folder.glob("*.yaml")) else None


def create_app(
    kb: KB | None = None, engine: str = "durable", case: Case | None = None, examples: Path | None = None
) -> FastAPI:
    """The application: pass the KB and engine the CLI chose, and the case to open with."""
    kb = kb or load_kb()
    folder = examples or examples_folder()
    found = {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder else {}
    server = Server(kb, engine, case, found)
    app = FastAPI(
        title="kbcheck",
        version=SCHEMA_VERSION,
        summary="The law of England and Wales on malicious communications, explained",
        description="The same JSON as the kbcheck CLI's --json; each response begins with schema_version.",
        docs_url=None,  # the interactive docs load scripts from a CDN: the server stays offline
        redoc_url=None,
    )
    app.state.server = server
    app.state.templates = page_templates()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from . import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(KbcheckError)
    async def kbcheck_error(request: Request, exc: KbcheckError) -> Response:
        if request.url.path.startswith("/ui/"):
            # The page's fragments: 200, so that htmx shows the CLI's one line where they go.
            return app.state.templates.TemplateResponse(request, "error.html.j2", {"message": exc.one_line()})
        return error_json(exc_status(exc), exc.one_line())

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_json(422, validation_line(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_json(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        return error_json(500, f"internal error ({type(exc).__name__}); the server's log has the details")

    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    return app


def page_templates() -> Jinja2Templates:
    """The page's Jinja2 templates, every one autoescaped whatever its file name says."""
    from . import views

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters["words"] = views.words
    env.filters["reasons"] = lambda firings, kb: views.reasons(kb, firings)
    return Jinja2Templates(env=env)


def exc_status(exc: KbcheckError) -> int:
    """400 for a request that is wrong (a bad case, a name the KB does not know), 500 for an
    engine that failed."""
    from kbcheck.engine import EngineError

    return 500 if isinstance(exc, EngineError) else 400


def validation_line(errors: Any) -> str:
    """FastAPI's list of validation errors as one line: the first, by where it is and what it says."""
    if not errors:
        return "the request is not valid"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return f"the body is not valid JSON ({first.get('ctx', {}).get('error', 'cannot be read')})"
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'not valid')}{more}"

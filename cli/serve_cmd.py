"""kbcheck serve [CASE]"""

from __future__ import annotations

import socket

import click

from .common import KbcheckClickError, read, settings, stderr


@click.command()
@click.argument("case_file", metavar="CASE", required=False)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (this machine only by default)."
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; only print the address.")
def serve(case_file: str | None, host: str, port: int, no_browser: bool) -> None:
    """Open the case in a browser: every fact a field, the conclusions live, each one explained.

    Change a fact and the conclusions change, with what changed and why; click a conclusion for
    its diagram and its chain of rules, step through the firings, move the offence date and see
    the law move with it, answer the questions that would settle what is open, save the case as
    YAML, print the report. Beside the page, a JSON API answers as the commands' --json do
    (/api/assess, /api/why, /api/why-not, /api/what-if, /api/ask, /api/explain; /openapi.json).
    Nothing is loaded from outside this machine. Ctrl+C stops the server.

    \b
    Examples:
      kbcheck serve
      kbcheck serve examples/whatsapp-director.yaml
      kbcheck serve case.yaml --port 8000 --no-browser
    """
    import uvicorn

    from kbcheck.explain.web import create_app

    cfg = settings()
    kb = cfg.kb()
    case = read(case_file, kb) if case_file else None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise KbcheckClickError(f"--host {host} --port {port}: cannot listen there ({exc.strerror})") from None
    sock.listen(128)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    url = f"http://{shown}:{bound}/"
    app = create_app(kb, cfg.engine, case)
    click.echo(f"kbcheck serve: {url}  (Ctrl+C stops it)", err=False)
    if host not in ("127.0.0.1", "localhost", "::1"):
        stderr(f"Listening on {host}: anyone who can reach this machine can use the page and the API.")
    if not no_browser:
        _open_browser(url)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    server.run(sockets=[sock])


def _open_browser(url: str) -> None:
    """Open the page where a browser is available; where none is (a server, CI), say so and go on."""
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        stderr("No browser found here: open the address above in one.")
        return
    webbrowser.open(url)

"""The `kbcheck` command: a thin click layer over kbcheck.engine and kbcheck.explain."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click
import graphviz

from kbcheck.engine import ENGINES, KbcheckError

from .common import KbcheckClickError, Settings

COMMANDS = {
    # name: (module, function): imported only when run, so `--help` and `assess` stay quick
    "assess": ("assess", "assess"),
    "explain": ("explain_cmd", "explain"),
    "rules": ("rules_cmd", "rules"),
    "rule": ("rules_cmd", "rule"),
    "test": ("test_cmd", "test"),
    "why": ("why_cmd", "why"),
    "why-not": ("why_cmd", "why_not"),
    "ask": ("ask_cmd", "ask"),
    "what-if": ("whatif_cmd", "what_if"),
    "trace": ("trace_cmd", "trace"),
    "report": ("report_cmd", "report"),
    "facts": ("vocab_cmd", "facts"),
    "conclusions": ("vocab_cmd", "conclusions"),
    "new-case": ("vocab_cmd", "new_case"),
    "lint": ("lint_cmd", "lint"),
    "batch": ("batch_cmd", "batch"),
    "compare": ("compare_cmd", "compare"),
    "interview": ("interview_cmd", "interview"),
    "schema": ("schema_cmd", "schema"),
    "serve": ("serve_cmd", "serve"),
}


class LazyGroup(click.Group):
    """Loads each command's module on first use, and turns errors into one line and an exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[name]
        module = __import__(f"kbcheck.cli.{module_name}", fromlist=[attr])
        return getattr(module, attr)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KbcheckError as exc:
            raise KbcheckClickError(exc.one_line(), exc.exit_code) from None
        except KeyboardInterrupt:  # Ctrl-C: the shell's convention, 128 + SIGINT
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except click.Abort as exc:  # a prompt turns Ctrl-C into Abort; end of input stays exit 1
            if isinstance(exc.__context__, KeyboardInterrupt):
                click.echo("Interrupted.", err=True)
                raise click.exceptions.Exit(130) from None
            raise
        except graphviz.ExecutableNotFound:
            raise KbcheckClickError(
                "Graphviz's dot program was not found on PATH; install Graphviz (Debian: apt install graphviz)", 2
            ) from None
        except (click.exceptions.Exit, click.ClickException, BrokenPipeError):
            raise
        except Exception as exc:
            if os.environ.get("KBCHECK_DEBUG"):
                traceback.print_exc()
            raise KbcheckClickError(
                f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())} (set KBCHECK_DEBUG=1 to see where)",
                1,
            ) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="durable",
    show_default=True,
    help="durable_rules (the engine) or the plain-Python reference engine (the test oracle).",
)
@click.option(
    "--kb",
    "kb_dir",
    type=click.Path(file_okay=False),
    envvar="KBCHECK_KB",
    default=None,
    help="Use another knowledge-base folder (default: the kb/ kbcheck ships with).",
)
@click.version_option(None, "--version", package_name="kbcheck", prog_name="kbcheck")
@click.pass_context
def cli(ctx: click.Context, engine: str, kb_dir: str | None) -> None:
    """Assess malicious communications cases under the law of England and Wales, and explain why.

    Facts about a case are asserted into a forward-chaining rules engine whose rules mirror the
    Malicious Communications Act 1988 s.1 (as it stood on the offence date), the neighbouring
    offences, the CPS charging considerations and the sentencing factors. Every conclusion comes
    with the rules and facts that justify it.

    \b
    Examples:
      kbcheck assess case.yaml
      kbcheck assess case.yaml --json
      kbcheck explain case.yaml offence.mca_s1 -o offence.svg
      kbcheck rules
      kbcheck test tests/scenarios

    Exit status: 0 success, 1 findings (a failed scenario, a lint finding), 2 bad input.
    Not legal advice.
    """
    ctx.obj = Settings(engine=engine, kb_dir=kb_dir)


def main() -> None:
    # Under a narrow locale (PYTHONIOENCODING=latin-1) a character the terminal cannot show is
    # written as an escape rather than failing the whole command.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        cli(prog_name="kbcheck")
    except BrokenPipeError:  # the reader went away (kbcheck trace | head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":
    main()

"""The JSON Schema of each command's `--json` output (docs/json.md), shipped with the package."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def names() -> list[str]:
    """The commands with a schema, in alphabetical order."""
    return sorted(p.name[: -len(".json")] for p in resources.files(__name__).iterdir() if p.name.endswith(".json"))


def text(name: str) -> str:
    """The schema file's text, as shipped."""
    return resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text(name))
    return data

"""Read a case's `communications:` list (docs/case-format.md §1.5) and the facts it derives.

Each item is one sending: its id, date (and optionally a time, to order the messages of one
day), and the facts of that communication (kb/series.yaml `communication.facts`). A refusal
names the item by its index and id, the line and the key, like every other refusal of a case.
The items are kept in a canonical order (date, time, id) so that the order of the file never
changes a result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .dates import parse_date
from .errors import CaseError
from .model import KB, UNKNOWN
from .yamlio import LDict

ITEM_KEYS = ("id", "date", "time", "count", "occasion", "quotation", "recipients")
TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d", re.ASCII)
MAX_QUOTATION = 500
MAX_ITEMS = 100_000  # the vocabulary's own bound on message_count


@dataclass(frozen=True)
class Communication:
    """One communication of a series, with the facts given for it alone."""

    id: str
    date: dt.date
    given: Mapping[str, Any] = field(default_factory=dict)
    time: str = ""
    count: int = 1
    occasion: str = ""
    quotation: str = ""
    recipients: tuple[str, ...] = ()
    index: int = 0  # its position in the file, for messages
    line: int | None = field(default=None, compare=False)
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    @property
    def sort_key(self) -> tuple[dt.date, str, str]:
        return (self.date, self.time, self.id)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "date": self.date.isoformat()}
        if self.time:
            data["time"] = self.time
        if self.count != 1:
            data["count"] = self.count
        if self.occasion:
            data["occasion"] = self.occasion
        if self.quotation:
            data["quotation"] = self.quotation
        if self.recipients:
            data["recipients"] = list(self.recipients)
        data.update(self.given)
        return data


def parse_communications(
    kb: KB, raw: Any, label: str, line: int | None, assessment: dt.date, today: dt.date
) -> tuple[Communication, ...]:
    """The items of `communications:`, checked, in canonical order."""
    series = kb.series
    if series is None:
        raise CaseError(
            label, "this knowledge base does not read a list of communications", line=line, field="communications"
        )
    if not isinstance(raw, list) or not raw:
        raise CaseError(
            label, "expected a list of communications, each with an id and a date", line=line, field="communications"
        )
    if len(raw) > MAX_ITEMS:
        raise CaseError(
            label, f"expected at most {MAX_ITEMS:,} communications; got {len(raw):,}", line=line, field="communications"
        )
    allowed = set(series.facts)
    seen: dict[str, int] = {}
    items = [
        _parse_item(kb, item, index, label, line, allowed, seen, assessment, today) for index, item in enumerate(raw)
    ]
    return tuple(sorted(items, key=lambda c: c.sort_key))


def _parse_item(
    kb: KB,
    item: Any,
    index: int,
    label: str,
    line: int | None,
    allowed: set[str],
    seen: dict[str, int],
    assessment: dt.date,
    today: dt.date,
) -> Communication:
    """One item of the list, checked; `seen` maps the ids read so far to their index."""
    from .case import CASE_ID_RE, EARLIEST, check_value, suggest, type_name

    where = f"communications[{index}]"  # and, once its id is read, the id too
    item_line = getattr(item, "line", None) or line
    if not isinstance(item, dict):
        raise CaseError(
            label, f"expected a mapping with an id and a date; got {type_name(item)}", line=item_line, field=where
        )

    def at(key: str) -> int | None:  # the line of one key, or of the item where YAML gives none
        return (item.line_of(key) if isinstance(item, LDict) else None) or item_line

    def refuse(key: str, problem: str) -> CaseError:
        return CaseError(label, problem, line=at(key), field=f"{where}.{key}")

    for key in ("id", "date"):
        if key not in item:
            raise CaseError(
                label,
                f"missing '{key}'; every communication needs an id and a date",
                line=item_line,
                field=f"{where}.{key}",
            )
    cid = item["id"]
    if not isinstance(cid, str) or not CASE_ID_RE.fullmatch(cid):
        raise refuse(
            "id",
            f"expected 1 to 100 letters, digits, '-' or '_' (quote it if it looks like a number); got {repr(cid)[:60]}",
        )
    if cid in seen:
        raise refuse("id", f"'{cid}' is also the id of communications[{seen[cid]}]")
    seen[cid] = index
    where = f"communications[{index}] ({cid})"
    try:
        day = parse_date(item["date"])
    except ValueError as exc:
        raise refuse("date", str(exc)) from None
    if day < EARLIEST:
        raise refuse("date", f"{day.isoformat()} is before {EARLIEST.year}")
    if day > today:
        raise refuse("date", f"{day.isoformat()} lies in the future (today is {today.isoformat()})")
    if day > assessment:
        raise refuse("date", f"{day.isoformat()} is after the assessment date {assessment.isoformat()}")
    time = item.get("time", "")
    if time != "" and (not isinstance(time, str) or not TIME_RE.fullmatch(time)):
        shown = (
            f"the number {time} (YAML read an unquoted time as a number: quote it)"
            if isinstance(time, int)
            else repr(time)[:40]
        )
        raise refuse("time", f"expected a time HH:MM in quotes, such as '23:40'; got {shown}")
    count = item.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ITEMS:
        raise refuse(
            "count",
            f"expected a whole number of identical messages sent together, 1 to {MAX_ITEMS:,}; got {repr(count)[:40]}",
        )
    occasion = item.get("occasion", "")
    if not isinstance(occasion, str) or (occasion and not CASE_ID_RE.fullmatch(occasion)):
        raise refuse(
            "occasion",
            f"expected a label of letters, digits, '-' or '_' shared by the items of one occasion; got {repr(occasion)[:40]}",
        )
    quotation = item.get("quotation", "") or ""
    if not isinstance(quotation, str) or len(quotation) > MAX_QUOTATION:
        raise refuse("quotation", f"expected text of at most {MAX_QUOTATION} characters")
    recipients = item.get("recipients", []) or []
    if not isinstance(recipients, list) or not all(isinstance(r, str) and 0 < len(r) <= 100 for r in recipients):
        raise refuse("recipients", "expected a list of who received it, each a short text")
    given: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key, value in item.items():
        if key in ITEM_KEYS:
            continue
        fact = kb.facts.get(key) if isinstance(key, str) else None
        if fact is None:
            raise refuse(
                str(key),
                f"not a key of a communication{suggest(str(key), [*ITEM_KEYS, *allowed])}; expected {', '.join(ITEM_KEYS)} or a fact of one communication",
            )
        if key not in allowed:
            raise refuse(key, f"'{key}' is about the case, not one communication: give it under facts")
        try:
            checked = check_value(fact, value)
        except ValueError as exc:
            raise refuse(key, str(exc)) from None
        if checked != UNKNOWN:
            given[key] = checked
        found = at(key)
        if found:
            lines[key] = found
    return Communication(
        id=cid,
        date=day,
        given=dict(sorted(given.items())),
        time=time,
        count=count,
        occasion=occasion,
        quotation=quotation,
        recipients=tuple(recipients),
        index=index,
        line=item_line,
        lines=lines,
    )


def derive(kb: KB, items: tuple[Communication, ...]) -> dict[str, int]:
    """The facts the list gives (kb/series.yaml `derived`): the number of messages, and of
    occasions (distinct days, or the items' own `occasion` labels)."""
    values: dict[str, int] = {}
    for derivation in kb.series.derived if kb.series else ():
        if derivation.method == "messages":
            values[derivation.fact] = sum(c.count for c in items)
        elif derivation.method == "occasions":
            values[derivation.fact] = len({("label", c.occasion) if c.occasion else ("day", c.date) for c in items})
    return values


def disagreement(label: str, fact: str, listed: Any, stated: Any, line: int | None) -> CaseError:
    """A fact the case file gives that the list of communications gives otherwise: an error, never
    a silent choice between them."""
    from .loader import token

    return CaseError(
        label,
        f"the communications listed give {token(listed)}; this says {token(stated)} (leave it out, or make them agree)",
        line=line,
        field=f"facts.{fact}",
    )

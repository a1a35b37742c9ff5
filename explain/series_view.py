"""The headline of a case given as a series of communications, in words.

It only arranges what the engine concluded for each communication: which communications each
offence is open on, which s.1 counts are made out or out of time (`series.standing`), and under
which law each was judged (the s.1 limbs in force and the mode of trial on its date).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from kbcheck.engine.result import Assessment

SHOWN = 40  # communications listed one per line; more are counted, and listed in the JSON
STANDING_WORDS = {
    "made_out_in_time": "made out, in time",
    "undetermined_in_time": "not yet settled, in time",
    "made_out_out_of_time": "made out, but out of time",
    "undetermined_out_of_time": "not yet settled, and out of time",
    "not_made_out_in_time": "not made out",
    "not_made_out_out_of_time": "not made out (and out of time)",
    "not_applicable": "s.1 cannot apply",
}


def _ids(ids: list[str], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def law_of(assessed: Assessment) -> str:
    """The law a communication was judged under: the s.1 limbs in force and the mode of trial."""
    limbs = assessed.value("law.content_limbs_available")
    mode = str(assessed.value("procedure.mode_of_trial")).replace("_", " ")
    if assessed.values.get("law.mca_s1_applies") != "true":
        return "s.1 does not apply"
    return f"s.1 limbs in force: {', '.join(limbs) if limbs else 'none'}; {mode}"


def open_on(assessed: Assessment) -> list[str]:
    """The other offences open on one communication (the members of `alternatives` that belong to
    one communication, kb/series.yaml)."""
    ldef = assessed.kb.lists["alternatives"]
    return [m for m in ldef.members if assessed.values.get(ldef.member_id(m)) == "yes"]


@dataclass(frozen=True)
class Row:
    """One communication as `assess`, the report, the page and the timeline show it."""

    id: str
    date: str  # ISO
    time: str
    standing: str  # the token of `series.standing`
    words: str  # how its s.1 count stands, in words
    law: str  # the law it was judged under
    also: list[str]  # the other offences open on it
    facts: str  # its own facts, as the file gives them
    quotation: str
    lead: bool


def rows(assessment: Assessment) -> list[Row]:
    """Each communication of a series, in date order."""
    from .text import value_text

    series = assessment.series
    return [
        Row(
            comm.id,
            comm.date.isoformat(),
            comm.time,
            assessed.values["series.standing"],
            STANDING_WORDS.get(assessed.values["series.standing"], ""),
            law_of(assessed),
            open_on(assessed),
            ", ".join(f"{k}: {value_text(v)}" for k, v in comm.given.items()) or "only the case's facts",
            comm.quotation,
            comm.id == series.lead,
        )
        for comm, assessed in zip(assessment.case.communications, series.communications, strict=True)
    ]


def offences(assessment: Assessment) -> dict[str, dict[str, list[str]]]:
    """For s.1 and each other offence of one communication: the communications by how it stands."""
    series, kb = assessment.series, assessment.kb
    result: dict[str, dict[str, list[str]]] = {"mca1988.s1": {}}
    own = set(kb.series.conclusions) if kb.series else set()
    ldef = kb.lists.get("alternatives")
    for cid, assessed in zip(series.ids, series.communications, strict=True):
        standing = assessed.values.get("series.standing", "")
        result["mca1988.s1"].setdefault(standing, []).append(cid)
        for member in ldef.members if ldef else ():
            mid = ldef.member_id(member)
            if mid in own and assessed.values[mid] in ("yes", "unknown"):
                result.setdefault(member, {}).setdefault(assessed.values[mid], []).append(cid)
    return result


def summary(assessment: Assessment) -> list[str]:
    """The series in sentences, an empty string between groups: what it is and what the case
    rests on, each offence with its communications, and the law each was judged under."""
    series, case = assessment.series, assessment.case
    comms = case.communications
    derived = case.derived
    counted = f"{len(comms)} communications"
    if derived.get("message_count", len(comms)) != len(comms):
        counted += f" ({derived['message_count']} messages)"
    if "occasions" in derived:
        counted += f" on {derived['occasions']} occasion{'s' if derived['occasions'] != 1 else ''}"
    lead = series.communications[series.ids.index(series.lead)]
    out = [
        f"{counted}, {comms[0].date.isoformat()} to {comms[-1].date.isoformat()}. Each is judged under the "
        f"law on its own date; the case's rules read the last date. The case rests on {series.lead} (s.1 "
        f"{STANDING_WORDS.get(lead.values['series.standing'], '')}), the communication that gives the "
        "strongest s.1 count (kb/series.yaml).",
        "",
    ]
    by_offence = offences(assessment)
    for standing, words in STANDING_WORDS.items():
        ids = by_offence["mca1988.s1"].get(standing)
        if ids:
            out.append(f"MCA 1988 s.1 {words}: {_ids(ids)}")
    for member, groups in by_offence.items():
        if member == "mca1988.s1":
            continue
        parts = []
        if groups.get("yes"):
            parts.append(f"open on {_ids(groups['yes'])}")
        if groups.get("unknown"):
            parts.append(f"possible on {_ids(groups['unknown'])}")
        out.append(f"{member}: {'; '.join(parts)}")
    by_law: dict[str, list[str]] = {}
    for cid, assessed in zip(series.ids, series.communications, strict=True):
        by_law.setdefault(law_of(assessed), []).append(cid)
    out.append("")
    out.extend(f"Under the law of their dates ({law}): {_ids(ids)}" for law, ids in by_law.items())
    return out


def series_lines(assessment: Assessment, width: int = 100) -> list[str]:
    """THE SERIES, as `assess` prints it: the summary, then each communication on a line."""
    comms = assessment.case.communications
    lines = ["", "THE SERIES"]
    for i, sentence in enumerate(summary(assessment)):
        if not sentence:
            lines.append("")
        elif i == 0:
            lines.extend(textwrap.wrap(sentence, width - 2, initial_indent="  ", subsequent_indent="  "))
        else:
            lines.extend(_wrapped(sentence, width))
    lines.append("")
    for row in rows(assessment)[:SHOWN]:
        mark = "  (lead)" if row.lead else ""
        lines.extend(
            _wrapped(f"{row.id}  {row.date}{' ' + row.time if row.time else ''}  s.1 {row.words}{mark}", width)
        )
    if len(comms) > SHOWN:
        lines.append(f"  ... and {len(comms) - SHOWN} more (`kbcheck assess --json` lists every communication)")
    lines.append("  `kbcheck why CASE offence.mca_s1 --communication ID` explains one communication.")
    return lines


def _wrapped(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width - 2, initial_indent="  ", subsequent_indent="      ") or [""]


def series_header(assessment: Assessment) -> str:
    case = assessment.case
    comms = case.communications
    return (
        f"Communications {comms[0].date.isoformat()} to {comms[-1].date.isoformat()} (each under the law "
        f"on its own date)"
    )


def series_changes(before: Assessment, after: Assessment) -> list[str]:
    """What a what-if did to a series' communications: each one moved, left out, or standing or
    judged differently, and the lead communication."""
    if before.series is None or after.series is None:
        return []
    old = dict(
        zip(before.series.ids, zip(before.case.communications, before.series.communications, strict=True), strict=True)
    )
    new = dict(
        zip(after.series.ids, zip(after.case.communications, after.series.communications, strict=True), strict=True)
    )
    lines = []
    for cid, (comm, assessed) in old.items():
        if cid not in new:
            lines.append(f"  {cid}: left out")
            continue
        comm2, assessed2 = new[cid]
        parts = []
        if comm2.date != comm.date:
            parts.append(f"sent {comm2.date.isoformat()} (was {comm.date.isoformat()})")
        s1, s2 = assessed.values["series.standing"], assessed2.values["series.standing"]
        if s1 != s2:
            parts.append(f"s.1 {STANDING_WORDS.get(s2, s2)} (was {STANDING_WORDS.get(s1, s1)})")
        if law_of(assessed) != law_of(assessed2):
            parts.append(f"judged under {law_of(assessed2)} (was {law_of(assessed)})")
        gained = sorted(set(open_on(assessed2)) - set(open_on(assessed)))
        lost = sorted(set(open_on(assessed)) - set(open_on(assessed2)))
        if gained:
            parts.append("now open: " + ", ".join(gained))
        if lost:
            parts.append("no longer open: " + ", ".join(lost))
        if parts:
            lines.append(f"  {cid}: " + "; ".join(parts))
    if before.series.lead != after.series.lead:
        lines.append(f"  the case now rests on {after.series.lead} (was {before.series.lead})")
    return ["", "THE COMMUNICATIONS", *lines] if lines else []

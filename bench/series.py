"""A series of communications: the cost per communication as the series grows (issue: flat).

A case of N communications is assessed by N runs of the whole KB (one per communication, on
its own date), N small runs of the fold, and one run of the case's rules (engine/series.py).
So the cost per communication should not grow with N: this measures `assess()` on series of
1, 10, 100, 1,000 and 10,000 communications (1,000 at most with --quick), sent one a day from
1 January 1999 so that they cross every change in the law since, with five kinds of content in
turn. The target is that the cost per communication stays within 1.5x of the one-communication
cost.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

TARGET = 1.5
TEMPLATES: list[dict[str, Any]] = [
    {"medium": "email", "content_grossly_offensive": True},
    {"medium": "text_message", "content_threat": True, "threat_kind": "violence", "threat_credible": True},
    {"medium": "messaging_app", "content_false_information": True, "sender_knew_false": True},
    {"medium": "social_media_post", "audience": "public", "content_indecent": True},
    {"medium": "letter", "content_merely_offensive": True},
]


def series_data(n: int) -> dict[str, Any]:
    start = dt.date(1999, 1, 1)
    items = [
        {"id": f"m{i}", "date": (start + dt.timedelta(days=i)).isoformat(), **TEMPLATES[i % len(TEMPLATES)]}
        for i in range(n)
    ]
    return {
        "case": f"series-{n}",
        "assessment_date": "2026-11-01",
        "facts": {
            "audience": "individual",
            "target_identifiable": True,
            "intended_to_reach_target": True,
            "purpose_distress_anxiety": True,
            "sender_identified": True,
        },
        "communications": items,
    }


def measure(sizes: list[int], repeats: int = 3) -> dict[str, Any]:
    import tracemalloc

    from kbcheck.engine import assess, load_kb
    from kbcheck.engine.case import case_from_data

    kb = load_kb()
    assess(case_from_data(kb, series_data(3), "warm"), kb)  # build the three engines once
    rows = []
    for n in sizes:
        case = case_from_data(kb, series_data(n), f"series-{n}")
        best = float("inf")
        rounds = repeats if n <= 1000 else 1
        for _ in range(rounds):
            start = time.perf_counter()
            result = assess(case, kb)
            best = min(best, time.perf_counter() - start)
        tracemalloc.start()
        assess(case, kb) if n <= 1000 else None
        held = tracemalloc.get_traced_memory()[1] if n <= 1000 else None
        tracemalloc.stop()
        rows.append(
            {
                "communications": n,
                "seconds": best,
                "ms_per_communication": best * 1000 / n,
                "lead": result.series.lead,
                "peak_python_mb": held / 1e6 if held is not None else None,
            }
        )
    base = rows[0]["ms_per_communication"]
    worst = max(r["ms_per_communication"] for r in rows[1:]) if len(rows) > 1 else base
    return {"rows": rows, "ratio": worst / base, "target": TARGET, "met": worst / base <= TARGET}


def lines(results: dict[str, Any]) -> list[str]:
    got = results.get("series")
    if not got:
        return []
    if got.get("error"):
        return ["", f"### A series of communications: {got['error']}"]
    out = [
        "",
        "### A series of communications: `assess()` as the series grows (best of the rounds)",
        "",
        "| communications | seconds | ms a communication | x the one-communication cost | peak Python memory (MB) |",
        "|---|---|---|---|---|",
    ]
    base = got["rows"][0]["ms_per_communication"]
    for row in got["rows"]:
        out.append(
            f"| {row['communications']:,} | {row['seconds']:.2f} | {row['ms_per_communication']:.2f} | "
            f"{row['ms_per_communication'] / base:.2f} | "
            + ("" if row["peak_python_mb"] is None else f"{row['peak_python_mb']:.0f}")
            + " |"
        )
    verdict = "met" if got["met"] else "missed"
    out.append("")
    out.append(
        f"The highest cost a communication of a longer series is {got['ratio']:.2f}x the one-communication "
        f"cost (target <= {got['target']}x: {verdict}). One communication costs more than its share of a "
        "longer series: the case's own run is shared by all of them."
    )
    return out

"""Hypothesis strategies: valid cases drawn across the whole vocabulary and all the law's dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from kbcheck.engine.case import Case, check_constraints, cond_holds
from kbcheck.engine.memory import plain_facts
from kbcheck.engine.model import KB, UNKNOWN

# Every date on which the law changes, so that generated dates cluster around them.
BOUNDARIES = [
    dt.date(1988, 9, 29),
    dt.date(2001, 5, 11),
    dt.date(2015, 3, 12),
    dt.date(2015, 4, 13),
    dt.date(2017, 4, 3),
    dt.date(2022, 5, 2),
    dt.date(2023, 3, 30),
    dt.date(2024, 1, 31),
    dt.date(2024, 11, 18),
]
# Every date on which the charging decision's rules change (the Code, the CPS guidance, the
# charging and out-of-court rules, outcome numbers, sentencing regimes), for the decision dates.
DECISION_BOUNDARIES = [
    dt.date(2005, 1, 10),
    dt.date(2005, 4, 4),
    dt.date(2010, 2, 22),
    dt.date(2012, 12, 19),
    dt.date(2013, 1, 28),
    dt.date(2013, 4, 1),
    dt.date(2013, 4, 8),
    dt.date(2013, 5, 1),
    dt.date(2013, 6, 20),
    dt.date(2016, 1, 1),
    dt.date(2016, 3, 3),
    dt.date(2017, 4, 24),
    dt.date(2017, 6, 1),
    dt.date(2018, 10, 26),
    dt.date(2019, 4, 1),
    dt.date(2019, 10, 1),
    dt.date(2020, 12, 1),
    dt.date(2020, 12, 31),
    dt.date(2024, 1, 31),
]
EARLIEST = dt.date(1985, 1, 1)
LATEST = dt.date(2026, 11, 1)


def dates() -> st.SearchStrategy[dt.date]:
    near = st.sampled_from(BOUNDARIES).flatmap(lambda b: st.integers(-3, 3).map(lambda d: b + dt.timedelta(days=d)))
    return st.one_of(near, st.dates(EARLIEST, LATEST))


def fact_value(kb: KB, name: str) -> st.SearchStrategy[Any]:
    fdef = kb.facts[name]
    if fdef.type == "bool":
        return st.sampled_from([True, False, UNKNOWN])
    if fdef.type == "enum":
        return st.sampled_from(list(fdef.values) + [UNKNOWN])
    if fdef.type == "int":
        low = fdef.minimum if fdef.minimum is not None else 0
        return st.one_of(st.just(UNKNOWN), st.integers(low, low + 3), st.integers(low, fdef.maximum or 1000))
    raise AssertionError(name)


@st.composite
def cases(draw: st.DrawFn, kb: KB) -> Case:
    """A valid case: any facts given or not, any dates, any jurisdiction; constraints respected."""
    offence = draw(dates())
    assessment = offence + dt.timedelta(days=draw(st.one_of(st.integers(0, 400), st.integers(0, 4000))))
    given = {}
    for name, fdef in sorted(kb.facts.items()):
        if fdef.header:
            continue
        value = draw(fact_value(kb, name))
        if value != UNKNOWN:
            given[name] = value
    jurisdiction = draw(st.sampled_from(["england_and_wales"] * 6 + ["scotland", "northern_ireland"]))
    decided = _decision_dates(draw, offence, assessment)
    case = Case(
        id="generated",
        offence_date=offence,
        assessment_date=assessment,
        jurisdiction=jurisdiction,
        given=given,
        **decided,
    )
    # Repair rather than reject, so draws stay cheap: for each constraint the facts break, leave
    # out the last fact it names.
    facts = {f["t"]: f for f in plain_facts(kb, case)}
    for constraint in kb.constraints:
        if cond_holds(constraint.when, facts):
            given.pop(_names(constraint.when)[-1], None)
    case = Case(
        id="generated",
        offence_date=offence,
        assessment_date=assessment,
        jurisdiction=jurisdiction,
        given=given,
        **decided,
    )
    check_constraints(kb, case, "generated")
    return case


def _decision_dates(draw: st.DrawFn, offence: dt.date, assessment: dt.date) -> dict[str, dt.date | None]:
    """Often no charge or conviction date (both default to the assessment date); otherwise dates
    between the offence and the assessment, clustered around the decision rules' own boundaries."""
    if draw(st.booleans()):
        return {"charge_date_given": None, "conviction_date_given": None}
    near = [b for b in DECISION_BOUNDARIES if offence <= b <= assessment]
    choices = st.one_of(
        st.dates(offence, assessment),
        st.sampled_from(near).flatmap(lambda b: st.just(b)) if near else st.dates(offence, assessment),
    )
    charge = draw(choices)
    conviction = draw(st.one_of(st.none(), st.dates(charge, assessment)))
    return {"charge_date_given": charge, "conviction_date_given": conviction}


def _names(cond: Any) -> list[str]:
    if hasattr(cond, "items"):
        return [n for item in cond.items for n in _names(item)]
    return [cond.name]


@st.composite
def series_cases(draw: st.DrawFn, kb: KB, most: int = 5) -> Case:
    """A valid case given as 1 to `most` communications: a generated case's facts for the case,
    each communication with its own date (at most about two years before the last, which is the
    generated offence date) and its own facts of one communication; constraints respected."""
    from kbcheck.engine.communications import Communication, derive

    base = draw(cases(kb))
    own = kb.series.facts if kb.series else ()
    given = {k: v for k, v in base.given.items() if k not in ("message_count", "occasions", "escalation")}
    if draw(st.booleans()):  # the facts of one communication only in the items
        given = {k: v for k, v in given.items() if k not in own}
    count = draw(st.integers(1, most))
    items = []
    for i in range(count):
        day = base.offence_date if i == 0 else base.offence_date - dt.timedelta(days=draw(st.integers(0, 800)))
        facts = {}
        for name in own:
            if draw(st.integers(0, 2)) == 0:
                value = draw(fact_value(kb, name))
                if value != UNKNOWN:
                    facts[name] = value
        items.append(Communication(id=f"m{i}", date=max(day, EARLIEST), given=facts, index=i))
    case = Case(
        id="generated-series",
        offence_date=base.offence_date,
        assessment_date=base.assessment_date,
        jurisdiction=base.jurisdiction,
        given=given,
        charge_date_given=base.charge_date_given,
        conviction_date_given=base.conviction_date_given,
        communications=tuple(sorted(items, key=lambda c: c.sort_key)),
        offence_date_given=False,
    )
    # Repair each communication as `cases` repairs a case: drop the last fact a constraint names.
    repaired = []
    for comm in case.communications:
        mine = dict(comm.given)
        for _ in range(len(kb.constraints)):
            facts = {f["t"]: f for f in plain_facts(kb, case.for_communication(replace(comm, given=mine)))}
            broken = [c for c in kb.constraints if cond_holds(c.when, facts)]
            if not broken:
                break
            for name in reversed(_names(broken[0].when)):
                if name in mine:
                    mine.pop(name)
                    break
                if name in case.given:
                    given.pop(name)
                    break
        repaired.append(replace(comm, given=mine))
    items_t = tuple(repaired)
    return replace(case, given=given, communications=items_t, derived=derive(kb, items_t))

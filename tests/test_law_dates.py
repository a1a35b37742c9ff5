"""The law as at a date: the day before and the day of each change the reference names.

The offence date chooses the law (limbs, defence, mode of trial, statutory maxima); the
assessment date decides the time limit and the magistrates' general limit.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kbcheck.engine import assess
from kbcheck.engine.case import Case

D = dt.date
ONE_DAY = dt.timedelta(days=1)

# A grossly offensive, threatening email sent with the purpose of causing distress.
FACTS = {
    "medium": "email",
    "audience": "individual",
    "content_grossly_offensive": True,
    "content_threat": True,
    "threat_kind": "violence",
    "purpose_distress_anxiety": True,
}
# The same, but the only content is the threat.
THREAT_ONLY = dict(FACTS, content_grossly_offensive=False, content_indecent=False, content_false_information=False)


def run(kb, offence: dt.date, assessment: dt.date | None = None, facts=None, jurisdiction="england_and_wales"):
    case = Case(
        id="boundary",
        offence_date=offence,
        assessment_date=assessment or offence,
        jurisdiction=jurisdiction,
        given=dict(facts or FACTS),
    )
    return assess(case, kb).conclusions()


# (what changes, the day it changes, the conclusion, value the day before, value on the day)
BY_OFFENCE_DATE = [
    ("MCA 1988 in force", D(1988, 9, 29), "law.mca_s1_applies", False, True),
    (
        "MCA 1988 in force (an email is not yet clearly covered)",
        D(1988, 9, 29),
        "offence.mca_s1",
        "not_made_out",
        "undetermined",
    ),
    ("CJPA 2001: electronic communications", D(2001, 5, 11), "element.sending", "unknown", "met"),
    ("CJPA 2001: 6 months' imprisonment", D(2001, 5, 11), "penalty.max_custody_months_summary", 0, 6),
    ("CJPA 2001: level 5 fine", D(2001, 5, 11), "penalty.max_fine", "level_4", "level_5"),
    ("LASPO 2012 s.85: unlimited fines", D(2015, 3, 12), "penalty.max_fine", "level_5", "unlimited"),
    ("CJCA 2015 s.32: either way", D(2015, 4, 13), "procedure.mode_of_trial", "summary_only", "either_way"),
    ("CJCA 2015 s.32: 2 years on indictment", D(2015, 4, 13), "penalty.max_custody_months_indictment", None, 24),
    (
        "OSA 2023 s.189: threat limb repealed",
        D(2024, 1, 31),
        "law.content_limbs_available",
        ["false_information", "indecent_or_grossly_offensive", "threat"],
        ["indecent_or_grossly_offensive"],
    ),
    ("OSA 2023 s.189: defence repealed", D(2024, 1, 31), "defence.s1_2", "does_not_apply", "not_available"),
]


@pytest.mark.parametrize(
    "change,day,conclusion,before,on", BY_OFFENCE_DATE, ids=[f"{c[0]}:{c[2]}" for c in BY_OFFENCE_DATE]
)
def test_offence_date_boundaries(kb, change, day, conclusion, before, on):
    assessment = dt.date(2025, 1, 1)
    assert run(kb, day - ONE_DAY, assessment)[conclusion] == before
    assert run(kb, day, assessment)[conclusion] == on


def test_a_letter_is_an_offence_from_the_day_the_act_came_into_force(kb):
    letter = dict(FACTS, medium="letter")
    assert run(kb, D(1988, 9, 28), D(1988, 10, 1), letter)["offence.mca_s1"] == "not_made_out"
    assert run(kb, D(1988, 9, 29), D(1988, 10, 1), letter)["offence.mca_s1"] == "made_out"


def test_a_threat_alone_is_an_offence_the_day_before_the_repeal_and_not_on_the_day(kb):
    before = run(kb, D(2024, 1, 30), D(2024, 6, 1), THREAT_ONLY)
    on = run(kb, D(2024, 1, 31), D(2024, 6, 1), THREAT_ONLY)
    assert (before["element.content"], before["offence.mca_s1"]) == ("met", "made_out")
    assert (on["element.content"], on["offence.mca_s1"]) == ("not_met", "not_made_out")


def test_section_1_5_offences_before_2_may_2022_stay_at_6_months(kb):
    # Convicted after 18 November 2024, when the general limit is 12 months again.
    assert run(kb, D(2022, 5, 1), D(2025, 1, 1))["penalty.max_custody_months_summary"] == 6
    assert run(kb, D(2022, 5, 2), D(2025, 1, 1))["penalty.max_custody_months_summary"] == 12


@pytest.mark.parametrize("day,before,on", [(D(2023, 3, 30), 12, 6), (D(2024, 11, 18), 6, 12)])
def test_general_limit_changes_by_conviction_date(kb, day, before, on):
    offence = D(2022, 6, 1)
    assert run(kb, offence, day - ONE_DAY)["penalty.max_custody_months_summary"] == before
    assert run(kb, offence, day)["penalty.max_custody_months_summary"] == on


def test_the_first_day_of_the_12_month_limit(kb):
    assert run(kb, D(2022, 5, 2), D(2022, 5, 2))["penalty.max_custody_months_summary"] == 12


def test_summary_time_limit_is_six_calendar_months(kb):
    offence = D(2014, 1, 15)
    assert run(kb, offence, D(2014, 7, 15))["procedure.time_barred"] is False
    assert run(kb, offence, D(2014, 7, 16))["procedure.time_barred"] is True


def test_six_months_from_the_end_of_august_ends_at_the_end_of_february(kb):
    offence = D(2013, 8, 31)
    assert run(kb, offence, D(2014, 2, 28))["procedure.time_barred"] is False
    assert run(kb, offence, D(2014, 3, 1))["procedure.time_barred"] is True


def test_no_time_limit_once_either_way(kb):
    assert run(kb, D(2015, 4, 12), D(2016, 1, 1))["procedure.time_barred"] is True
    assert run(kb, D(2015, 4, 13), D(2025, 1, 1))["procedure.time_barred"] is False


@pytest.mark.parametrize(
    "jurisdiction,equivalent", [("scotland", "scotland_other_offences"), ("northern_ireland", "ni_order_1988_art3")]
)
def test_s1_does_not_extend_beyond_england_and_wales(kb, jurisdiction, equivalent):
    result = run(kb, D(2025, 1, 1), D(2025, 2, 1), jurisdiction=jurisdiction)
    assert result["law.mca_s1_applies"] is False
    assert result["law.local_equivalent"] == equivalent
    assert result["offence.mca_s1"] == "not_made_out"
    assert result["procedure.mode_of_trial"] == "not_applicable"

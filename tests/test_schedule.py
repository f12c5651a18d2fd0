"""Due dates for every schedule: clamping, capping at the campaign's end, holiday roll-forward."""

from datetime import date


from checklist.core.schedule import occurrences
from helpers import calendar, campaign_yaml, templates


def dues(start, end, duty_yaml):
    tset = templates(c=campaign_yaml("c", start, end, duty_yaml))
    campaign, duty = tset.campaigns["c"], tset.duties[0]
    return [(o.period.id, o.due) for o in occurrences(campaign, duty, calendar(tset))]


def test_daily_duty_is_due_on_working_days_only_including_make_up_days():
    got = dues("2026-09-29", "2026-10-12", "- {key: k, title: t, role: officer, every: day}")
    assert [d for _, d in got] == [
        date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9),
        date(2026, 10, 10), date(2026, 10, 12),
    ]
    assert got[0][0] == "2026-09-29"


def test_weekly_duty_defaults_to_friday_and_moves_off_a_holiday():
    got = dues("2026-09-21", "2026-10-11", "- {key: k, title: t, role: officer, every: week}")
    # Fri 25 Sep is 中秋 → Mon 28 Sep; Fri 2 Oct is 国庆 → Thu 8 Oct
    assert got == [("2026-W39", date(2026, 9, 28)), ("2026-W40", date(2026, 10, 8)), ("2026-W41", date(2026, 10, 9))]


def test_weekly_duty_on_a_named_day():
    got = dues("2026-11-01", "2026-11-30", "- {key: k, title: t, role: officer, every: week, due: mon}")
    assert [d for _, d in got] == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16),
                                    date(2026, 11, 23), date(2026, 11, 30)]


def test_halfmonth_day_counts_within_each_half_and_clamps():
    got = dues("2026-03-01", "2026-03-31", "- {key: k, title: t, role: officer, every: halfmonth, due: 1}")
    assert got == [("2026-03-H1", date(2026, 3, 2)), ("2026-03-H2", date(2026, 3, 16))]  # 1 Mar is a Sunday
    got = dues("2026-01-01", "2026-02-28", "- {key: k, title: t, role: officer, every: halfmonth, due: 16}")
    # H1 clamps to the 15th; H2's 16th day is the 31st (or the month's end). 31 Jan is a Saturday,
    # 15 Feb falls in 春节 (15–23 Feb), 28 Feb is a make-up working Saturday.
    assert [d for _, d in got] == [date(2026, 1, 15), date(2026, 2, 2), date(2026, 2, 24), date(2026, 2, 28)]


def test_halfmonth_last_is_the_15th_and_the_months_end():
    got = dues("2026-07-01", "2026-07-31", "- {key: k, title: t, role: officer, every: halfmonth}")
    assert got == [("2026-07-H1", date(2026, 7, 15)), ("2026-07-H2", date(2026, 7, 31))]


def test_month_end_clamping_the_31st_in_february():
    got = dues("2026-01-01", "2026-03-31", "- {key: k, title: t, role: officer, every: month, due: 31}")
    # 31 Jan is a Saturday → Mon 2 Feb; 28 Feb 2026 is a Saturday but a make-up working day → stays
    assert got == [("2026-01", date(2026, 2, 2)), ("2026-02", date(2026, 2, 28)), ("2026-03", date(2026, 3, 31))]
    leap = dues("2024-02-01", "2024-02-29", "- {key: k, title: t, role: officer, every: month, due: 30}")
    assert leap == [("2024-02", date(2024, 2, 29))]


def test_month_defaults_to_last_day():
    got = dues("2026-04-01", "2026-06-30", "- {key: k, title: t, role: officer, every: month}")
    assert [d for _, d in got] == [date(2026, 4, 30), date(2026, 6, 1), date(2026, 6, 30)]  # 31 May is a Sunday


def test_quarter_day_is_in_the_quarters_last_month():
    got = dues("2026-01-01", "2026-12-31", "- {key: k, title: t, role: officer, every: quarter, due: 25}")
    assert got == [("2026-Q1", date(2026, 3, 25)), ("2026-Q2", date(2026, 6, 25)),
                   ("2026-Q3", date(2026, 9, 28)), ("2026-Q4", date(2026, 12, 25))]  # 25 Sep is 中秋
    last = dues("2026-01-01", "2026-06-30", "- {key: k, title: t, role: officer, every: quarter}")
    assert [d for _, d in last] == [date(2026, 3, 31), date(2026, 6, 30)]


def test_yearly_duty_defaults_to_new_years_eve_and_clamps_29_february():
    assert dues("2026-01-01", "2026-12-31", "- {key: k, title: t, role: officer, every: year}") == [
        ("2026", date(2026, 12, 31))
    ]
    got = dues("2026-01-01", "2026-12-31", "- {key: k, title: t, role: officer, every: year, due: 02-29}")
    assert got == [("2026", date(2026, 2, 28))]  # clamped to 28 Feb 2026, a make-up working Saturday


def test_one_off_duty_on_a_holiday_and_on_a_make_up_day():
    assert dues("2026-09-01", "2026-10-31", "- {key: k, title: t, role: officer, every: once, due: 2026-10-01}") == [
        ("once", date(2026, 10, 8))
    ]
    assert dues("2026-09-01", "2026-10-31", "- {key: k, title: t, role: officer, every: once, due: 2026-10-10}") == [
        ("once", date(2026, 10, 10))
    ]


def test_shift_none_keeps_the_exact_date():
    got = dues("2026-09-01", "2026-10-31",
               "- {key: k, title: t, role: officer, every: once, due: 2026-10-01, shift: none}")
    assert got == [("once", date(2026, 10, 1))]


def test_due_is_capped_at_the_campaigns_end_before_shifting():
    # ends Wednesday: that week's Friday duty is due Wednesday
    got = dues("2026-11-02", "2026-11-11", "- {key: k, title: t, role: officer, every: week}")
    assert got == [("2026-W45", date(2026, 11, 6)), ("2026-W46", date(2026, 11, 11))]
    # ends on a Sunday: capped to Sunday, then moved to Monday
    got = dues("2026-05-06", "2026-05-31", "- {key: k, title: t, role: officer, every: month}")
    assert got == [("2026-05", date(2026, 6, 1))]


def test_a_capped_due_date_before_the_campaigns_start_yields_nothing():
    # starts on a Saturday: that week's Friday has passed, so the first item is the next week's
    got = dues("2026-11-07", "2026-11-20", "- {key: k, title: t, role: officer, every: week}")
    assert got == [("2026-W46", date(2026, 11, 13)), ("2026-W47", date(2026, 11, 20))]


# -- the forms real 实施方案 use: N-th working day, last working day, N-th weekday of the month --------------


def test_the_fifth_working_day_of_october_counts_the_make_up_saturday_not_the_holiday():
    # 1–7 Oct 2026 are 国庆; the working days are Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13
    got = dues("2026-10-01", "2026-11-30", "- {key: k, title: t, role: officer, every: month, due: 5wd}")
    assert got == [("2026-10", date(2026, 10, 13)), ("2026-11", date(2026, 11, 6))]  # Nov: 2, 3, 4, 5, 6


def test_the_last_working_day_of_a_month_ending_on_a_rest_day():
    got = dues("2026-01-01", "2026-02-28", "- {key: k, title: t, role: officer, every: month, due: last-wd}")
    # 31 Jan is a Saturday: Fri 30 Jan. 28 Feb is a Saturday but a 调休 working day: it is the last one
    assert got == [("2026-01", date(2026, 1, 30)), ("2026-02", date(2026, 2, 28))]


def test_working_days_of_a_week_and_of_a_quarter():
    week = dues("2026-09-28", "2026-10-11", "- {key: k, title: t, role: officer, every: week, due: 1wd}")
    assert week == [("2026-W40", date(2026, 9, 28)), ("2026-W41", date(2026, 10, 8))]  # W41 starts with 国庆
    quarter = dues("2026-10-01", "2026-12-31", "- {key: k, title: t, role: officer, every: quarter, due: 3wd}")
    assert quarter == [("2026-Q4", date(2026, 10, 10))]  # 8, 9, and the make-up Saturday


def test_the_first_friday_of_the_month_moves_off_a_holiday():
    got = dues("2026-10-01", "2026-12-31", "- {key: k, title: t, role: officer, every: month, due: first-fri}")
    # 2 Oct is 国庆 → Thu 8 Oct; 6 Nov; 4 Dec
    assert got == [("2026-10", date(2026, 10, 8)), ("2026-11", date(2026, 11, 6)), ("2026-12", date(2026, 12, 4))]
    last = dues("2026-11-01", "2026-12-31", "- {key: k, title: t, role: officer, every: month, due: last-mon}")
    second = dues("2026-12-01", "2026-12-31", "- {key: k, title: t, role: officer, every: month, due: 2nd-tue}")
    assert [d for _, d in last] == [date(2026, 11, 30), date(2026, 12, 28)] and second == [("2026-12", date(2026, 12, 8))]


def test_the_new_forms_are_refused_where_they_make_no_sense():
    from checklist.errors import TemplateError

    for duty, words in (("{key: k, title: t, role: officer, every: week, due: first-fri}", "for a monthly duty"),
                        ("{key: k, title: t, role: officer, every: month, due: 30wd}", "at most 23 working days")):
        try:
            dues("2026-10-01", "2026-10-31", f"- {duty}")
        except TemplateError as err:
            assert any(words in p for p in err.problems), err.problems
        else:
            raise AssertionError(f"{duty} was accepted")


# -- covers: previous — a report falls due in the period after the one it covers ------------------------------


def test_a_weekly_report_on_the_week_before_is_due_the_next_monday_even_after_the_campaign():
    got = dues("2026-11-02", "2026-11-30",
               "- {key: k, title: 每周一报上周, role: officer, every: week, due: mon, covers: previous}")
    assert got == [("2026-W45", date(2026, 11, 9)), ("2026-W46", date(2026, 11, 16)), ("2026-W47", date(2026, 11, 23)),
                   ("2026-W48", date(2026, 11, 30)), ("2026-W49", date(2026, 12, 7))]  # W49's 30 Nov is covered


def test_half_month_month_and_quarter_reports_fall_in_the_next_period():
    half = dues("2026-11-01", "2026-11-30",
                "- {key: k, title: t, role: officer, every: halfmonth, due: 5, covers: previous}")
    assert half == [("2026-11-H1", date(2026, 11, 20)), ("2026-11-H2", date(2026, 12, 7))]  # 5 Dec is a Saturday
    month = dues("2026-10-01", "2026-11-30", "- {key: k, title: t, role: officer, every: month, due: 5, covers: previous}")
    assert month == [("2026-10", date(2026, 11, 5)), ("2026-11", date(2026, 12, 7))]
    quarter = dues("2026-07-01", "2026-09-30",
                   "- {key: k, title: t, role: officer, every: quarter, due: 10, covers: previous}")
    assert quarter == [("2026-Q3", date(2026, 10, 10))]  # 季后首月10日: 10 Oct is a 调休 working Saturday


def test_a_report_on_the_week_before_merges_with_this_week_s_friday_report_and_the_earlier_date_wins():
    from checklist.core.merge import items_for
    from helpers import officer

    tset = templates(
        a=campaign_yaml("a", "2026-11-02", "2026-11-30", "- {key: ledger, title: 每周五报送台账, role: officer, "
                                                         "every: week, due: fri}"),
        b=campaign_yaml("b", "2026-11-02", "2026-11-30", "- {key: ledger, title: 每周一报攻坚案件执结情况, "
                                                         "role: officer, every: week, due: mon, covers: previous}"))
    ledger = {i.period: i for i in items_for(officer(), tset, calendar(tset))}
    assert ledger["2026-W48"].due == date(2026, 11, 27) and ledger["2026-W48"].campaigns == ("a", "b")
    # W49: a's Friday (4 Dec) is capped at its end, Mon 30 Nov; b's report on W49 is due Mon 7 Dec: 30 Nov wins
    assert ledger["2026-W49"].due == date(2026, 11, 30) and ledger["2026-W49"].campaigns == ("a", "b")


def test_covers_previous_is_refused_on_a_daily_or_one_off_duty():
    from checklist.errors import TemplateError

    try:
        dues("2026-11-01", "2026-11-30", "- {key: k, title: t, role: officer, every: day, covers: previous}")
    except TemplateError as err:
        assert any("covers: previous is for a report" in p for p in err.problems)
    else:
        raise AssertionError("accepted")


def test_the_last_working_day_of_a_month_ending_on_a_holiday():
    # a local rest day (地方节假日) given in a calendar file: 30 and 31 Dec; the last working day is Tue 29 Dec
    tset = templates(
        c=campaign_yaml("c", "2026-11-01", "2026-12-31", "- {key: k, title: t, role: officer, every: month, due: last-wd}"),
        local="calendar:\n  name: 本地休息日\n  holidays: [2026-12-30..2026-12-31]\n")
    campaign, duty = tset.campaigns["c"], tset.duties[0]
    got = [(o.period.id, o.due) for o in occurrences(campaign, duty, calendar(tset))]
    assert got == [("2026-11", date(2026, 11, 30)), ("2026-12", date(2026, 12, 29))]

"""Merging duties from several campaigns into one list (SPEC.md → Merging into one list)."""

import csv
import json
from datetime import date
from pathlib import Path

from checklist.core.merge import items_for, plan_for
from checklist.core.models import Officer, Source
from checklist.loader import load_templates
from helpers import calendar, campaign_yaml, officer, templates

FIXTURES = Path(__file__).parent / "fixtures"


def merged(tset, who=None, since=None):
    return items_for(who or officer(), tset, calendar(tset), since=since)


def by_period(items, key):
    return {i.period: i for i in items if i.key == key}


def test_same_key_same_schedule_is_one_item_due_on_the_earliest_date():
    tset = templates(
        a=campaign_yaml("a", "2026-11-01", "2026-11-30", """
            - {key: ledger, title: 每周更新台账, role: officer, every: week, due: thu, tags: [台账]}"""),
        b=campaign_yaml("b", "2026-11-01", "2026-11-30", """
            - {key: ledger, title: 攻坚周报, role: officer, every: week, due: tue, priority: high, tags: [攻坚, 台账]}"""),
    )
    items = by_period(merged(tset), "ledger")
    w48 = items["2026-W48"]
    assert w48.due == date(2026, 11, 24)  # Tuesday beats Thursday
    assert w48.campaigns == ("a", "b")
    assert w48.priority == "high"
    assert w48.tags == ("台账", "攻坚")
    assert w48.title == "每周更新台账"  # same schedule: the campaign key that sorts first ('a') names it
    assert len([i for i in merged(tset) if i.period == "2026-W48"]) == 1


def test_finer_schedule_absorbs_months_it_fully_covers_when_it_starts_mid_month():
    tset = templates(
        year=campaign_yaml("year", "2026-01-01", "2026-12-31", """
            - {key: recheck, title: 终本复查, role: officer, every: month, due: 5, priority: high, tags: [终本]}"""),
        drive=campaign_yaml("drive", "2026-04-15", "2026-06-30", """
            - {key: recheck, title: 查控周清, role: officer, every: week, due: fri, tags: [攻坚]}"""),
    )
    items = merged(tset)
    monthly = by_period(items, "recheck")
    # April is only half covered by the weekly drive: April's monthly item stands (due 5 Apr → 7 Apr, 清明)
    assert monthly["2026-04"].due == date(2026, 4, 7) and monthly["2026-04"].campaigns == ("year",)
    # May and June are covered: no monthly item; the weekly items due in them credit 'year' and are high
    assert "2026-05" not in monthly and "2026-06" not in monthly
    may_weeks = [i for i in items if i.key == "recheck" and i.every == "week" and i.due.month == 5]
    assert may_weeks and all(i.campaigns == ("drive", "year") and i.priority == "high" for i in may_weeks)
    assert all(i.tags == ("攻坚", "终本") for i in may_weeks)
    # the weekly items in the half-covered April credit only the drive
    april_weeks = [i for i in items if i.key == "recheck" and i.every == "week" and i.due.month == 4]
    assert april_weeks and all(i.campaigns == ("drive",) and i.priority == "normal" for i in april_weeks)
    # July: the drive has ended, the monthly item is back
    assert monthly["2026-07"].campaigns == ("year",)


def test_absorbed_credit_stays_inside_the_absorbed_campaigns_window_when_it_ends_mid_month():
    tset = templates(
        short=campaign_yaml("short", "2026-03-16", "2026-04-15", """
            - {key: bulletin, title: 信访月报, role: officer, every: month, due: last}"""),
        halves=campaign_yaml("halves", "2026-04-01", "2026-05-31", """
            - {key: bulletin, title: 半月报, role: officer, every: halfmonth}"""),
    )
    items = by_period(merged(tset), "bulletin")
    assert items["2026-03"].campaigns == ("short",)  # March is not covered by the half-monthly campaign
    assert "2026-04" not in items  # April is: absorbed …
    assert items["2026-04-H1"].campaigns == ("halves", "short")  # … crediting the item due 15 Apr
    assert items["2026-04-H2"].campaigns == ("halves",)  # but not the one due after 'short' ended


def test_absorbed_sources_do_not_move_the_due_date():
    tset = templates(
        monthly=campaign_yaml("monthly", "2026-01-01", "2026-12-31", """
            - {key: k, title: 月报, role: officer, every: month, due: 1}"""),
        weekly=campaign_yaml("weekly", "2026-06-01", "2026-06-30", """
            - {key: k, title: 周报, role: officer, every: week, due: fri}"""),
    )
    june = [i for i in merged(tset) if i.due.month == 6 and i.key == "k"]
    assert [i.due for i in june] == [
        date(2026, 6, 5), date(2026, 6, 12), date(2026, 6, 22), date(2026, 6, 26), date(2026, 6, 30)
    ]
    # 19 Jun is 端午: moved to Mon 22 Jun; the last week's Friday is capped at the end, Tue 30 Jun;
    # the absorbed monthly 'due 1' moved nothing
    assert all(i.campaigns == ("monthly", "weekly") for i in june)


def test_scope_and_role_decide_who_gets_a_duty():
    tset = templates(
        a=campaign_yaml("a", "2026-11-01", "2026-11-30", """
            - {key: x, title: 本院承办人事项, role: officer, every: month}
            - {key: y, title: 团队长事项, role: lead, every: month}""",
            scope="courts: [示例区人民法院]\ndepartments: [执行一庭]"),
    )
    assert [i.key for i in merged(tset)] == ["x"]
    assert merged(tset, officer(department="执行二庭")) == []
    assert merged(tset, officer(court="另一区人民法院")) == []
    assert [i.key for i in merged(tset, officer(roles=("officer", "lead")))] == ["x", "y"]
    assert [i.key for i in merged(tset, officer(roles=("lead",)))] == ["y"]


def test_provenance_names_every_campaign_and_its_own_wording():
    tset = templates(
        year=campaign_yaml("year", "2026-01-01", "2026-12-31", """
            - {key: recheck, title: 终本复查, role: officer, every: month, due: 5}"""),
        drive=campaign_yaml("drive", "2026-05-01", "2026-05-31", """
            - {key: recheck, title: 查控周清, role: officer, every: week, due: fri}"""),
    )
    item = next(i for i in merged(tset) if i.period == "2026-W20")
    assert item.sources == (
        Source("drive", "查控周清", "week", absorbed=False),
        Source("year", "终本复查", "month", absorbed=True),
    )
    assert item.title == "查控周清"  # the finest schedule's wording


def test_library_title_wins_and_campaign_wording_is_kept_as_provenance():
    tset = templates(
        library="""
        duties:
          - {key: ledger, title: 更新未结案件进展台账, role: officer, every: week, due: fri, tags: [台账]}
        """,
        a=campaign_yaml("a", "2026-11-02", "2026-11-08", """
            - key: ledger
              title: 整改台账每周更新
              due: wed"""),
        b=campaign_yaml("b", "2026-11-02", "2026-11-08", "- key: ledger"),
    )
    (item,) = merged(tset)
    assert item.title == "更新未结案件进展台账"
    assert item.due == date(2026, 11, 4)  # 'a' moved it to Wednesday
    assert [s.title for s in item.sources] == ["整改台账每周更新", "更新未结案件进展台账"]
    assert item.tags == ("台账",)


def test_officer_start_date_leaves_no_backlog():
    tset = templates(a=campaign_yaml("a", "2026-11-01", "2026-11-30", "- {key: w, title: 周报, role: officer, every: week}"))
    joined = officer(since=date(2026, 11, 18))
    # the last week's Friday (4 Dec) is capped at the campaign's end, Mon 30 Nov
    assert [i.due for i in merged(tset, joined)] == [date(2026, 11, 20), date(2026, 11, 27), date(2026, 11, 30)]


def test_plan_counts_the_relief():
    tset = load_templates(FIXTURES / "spring-2026" / "templates")
    plan = plan_for(officer(), tset)
    assert (plan.duties, plan.campaigns, len(plan.lines), plan.merged) == (7, 3, 4, 3)
    ledger = next(line for line in plan.lines if line.key == "weekly-ledger")
    assert ledger.campaigns == ("quality-2026", "spring-2026")
    # on 1 June the spring and petition campaigns are over
    later = plan_for(officer(), tset, today=date(2026, 6, 1))
    assert (later.duties, later.campaigns, len(later.lines)) == (2, 1, 2)


def test_worked_example_spring_2026_matches_item_for_item():
    world = FIXTURES / "spring-2026"
    tset = load_templates(world / "templates")
    expected = json.loads((world / "expected.json").read_text(encoding="utf-8"))
    with open(world / "roster.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["id"] for r in rows} == set(expected)
    for row in rows:
        who = Officer(row["id"], row["name"], row["court"], row["department"], tuple(row["roles"].split(",")),
                      row["lead"], date.fromisoformat(row["since"]))
        got = [
            {"key": i.key, "period": i.period, "due": i.due.isoformat(), "campaigns": list(i.campaigns),
             "priority": i.priority}
            for i in items_for(who, tset, calendar(tset))
            if date(2026, 3, 1) <= i.due <= date(2026, 6, 30)
        ]
        def order(d):
            return (d["key"], d["period"])
        assert sorted(got, key=order) == sorted(expected[who.id], key=order), who.id


def test_an_absorbed_duty_that_nothing_finer_covers_in_time_still_stands():
    # a three-day month-end campaign inside a weekly one: no weekly item falls due in 28–30 Nov
    tset = templates(
        weekly=campaign_yaml("weekly", "2026-01-01", "2026-12-31", """
            - {key: k, title: 周报, role: officer, every: week, due: fri}"""),
        monthend=campaign_yaml("monthend", "2026-11-28", "2026-11-30", """
            - {key: k, title: 月末核查, role: officer, every: month, due: last, priority: high}"""),
    )
    items = by_period(merged(tset), "k")
    assert items["2026-11"].due == date(2026, 11, 30)
    assert (items["2026-11"].campaigns, items["2026-11"].priority) == (("monthend",), "high")
    assert items["2026-W48"].campaigns == ("weekly",)  # due Fri 27 Nov, before the month-end campaign

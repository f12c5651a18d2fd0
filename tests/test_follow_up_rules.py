"""The pure rules of 督办 (checklist.core.followups): lateness, climbing, counting, the replay."""

from datetime import date

from checklist.core import followups as fu
from checklist.core.access import Access, Actor, Rules
from checklist.core.models import Officer

PEOPLE = {o.id: o for o in (
    Officer("A1", "周敏", "道里", "执行一庭", ("officer",), "L1"),
    Officer("L1", "陈立新", "道里", "执行一庭", ("lead",), "C1"),
    Officer("L2", "褚红", "道里", "执行二庭", ("lead",), "C1"),
    Officer("C1", "卫国强", "道里", "执行局", ("chief",)),
    Officer("M1", "孙立平", "中院", "执行局", ("chief",)),
)}


def access() -> Access:
    from checklist.core.access import Court

    rules = Rules(courts={"中院": Court("中院", level="中"), "道里": Court("道里", level="基", parent="中院")})
    return Access(rules, PEOPLE, Actor("x"))


def record(**extra) -> dict:
    return {"id": "F7", "target": {"kind": "officer", "id": "A1", "officer": "A1", "court": "道里"}, "by": "L1",
            "opened_at": "2026-10-09T09:00:00+08:00", "reply_due": "2026-10-12", "state": "open", **extra}


def test_ids_are_typed_loosely_and_numbered():
    assert [fu.parse_fid(t) for t in ("F12", "f12", "F-12", "#12", " F3 ", "3fk2", "F", "FF1")] == [
        12, 12, 12, 12, 3, None, None, None]
    assert fu.fid(12) == "F12" and fu.number({"id": "F12"}) == 12


def test_late_means_waiting_after_the_deadline_and_climbs_once_per_deadline():
    r = record()
    assert not fu.is_late(r, date(2026, 10, 12)) and fu.is_late(r, date(2026, 10, 13))
    assert fu.late_days(r, date(2026, 10, 15)) == 3
    assert not fu.is_late(record(state="replied"), date(2026, 10, 20))
    assert fu.is_late(record(state="returned"), date(2026, 10, 20))
    assert fu.escalation_pending(r, date(2026, 10, 13))
    climbed = record(escalations=[{"reply_due": "2026-10-12"}])
    assert not fu.escalation_pending(climbed, date(2026, 10, 14))
    assert fu.escalation_pending({**climbed, "reply_due": "2026-10-14", "state": "returned"}, date(2026, 10, 15))


def test_who_answers_and_whom_it_climbs_to():
    a = access()
    dept = {"kind": "dept", "id": "道里/执行二庭", "court": "道里", "department": "执行二庭"}
    assert [o.id for o in fu.answerers(dept, a)] == ["L2"]
    assert [o.id for o in fu.answerers({**dept, "department": "执行三庭"}, a)] == ["C1"]  # no lead: the chief
    assert [o.id for o in fu.answerers({"kind": "court", "id": "道里", "court": "道里"}, a)] == ["C1"]
    assert fu.climbs_to("L1", a).id == "C1"  # the opener's own lead
    assert fu.climbs_to("C1", a).id == "M1"  # a chief with no lead: the chief of the court above
    assert fu.climbs_to("nobody", a) is None
    assert fu.shows_on(record(), PEOPLE["A1"], a, date(2026, 10, 13)) == "target"
    assert fu.shows_on(record(), PEOPLE["C1"], a, date(2026, 10, 13)) == "escalated"
    assert fu.shows_on(record(), PEOPLE["C1"], a, date(2026, 10, 12)) == ""


def test_counts_only_what_happened_in_the_range_by_the_as_of_day():
    r = record(replies=[{"at": "2026-10-12T10:00:00+08:00", "reply_due": "2026-10-12"},
                        {"at": "2026-11-03T10:00:00+08:00", "reply_due": "2026-11-02"}],
               returns=[{"at": "2026-10-20T10:00:00+08:00"}], state="closed",
               closed_at="2026-11-05T10:00:00+08:00", outcome="约谈")
    october = fu.counts(r, date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 10))
    assert (october.opened, october.replied_in_time, october.returned, october.closed, october.waiting) == (
        1, 1, 1, 0, 0)
    november = fu.counts(r, date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 10))
    assert (november.opened, november.replied_in_time, november.closed, november.outcomes) == (0, 0, 1, 1)
    before_close = fu.counts(r, date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 31))
    assert before_close.waiting == 1 and before_close.closed == 0
    assert [s.id for s in fu.sanctions([r], date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 10))] == ["F7"]
    assert fu.sanctions([r], date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 10)) == []


def test_the_replay_rebuilds_each_follow_up_and_names_what_breaks_the_rules():
    target = {"kind": "officer", "id": "A1"}
    entries = [
        {"seq": 1, "action": "follow-up", "follow_up": "F1", "actor": "L1",
         "after": {"reply_due": "2026-10-12", "target": target}},
        {"seq": 2, "action": "follow-up-reply", "follow_up": "F1", "actor": "A1", "after": {}},
        {"seq": 3, "action": "follow-up-return", "follow_up": "F1", "actor": "L1", "after": {"reply_due": "2026-10-14"}},
        {"seq": 4, "action": "follow-up-close", "follow_up": "F1", "actor": "L1", "after": {"outcome": "问责"}},
        {"seq": 5, "action": "follow-up-reply", "follow_up": "F1", "actor": "A1", "after": {}},
        {"seq": 6, "action": "follow-up-close", "follow_up": "F2", "actor": "L1", "after": {}},
    ]
    found = fu.replay(entries)
    assert found.problems == [(5, "F1", "after-close"), (6, "F2", "not-opened")]
    f1 = found.records["F1"]
    assert (f1["state"], f1["reply_due"], f1["outcome"], f1["replies"], f1["returns"]) == (
        "closed", "2026-10-14", "问责", 1, 1)
    stored = {"state": "closed", "reply_due": "2026-10-14", "outcome": "问责", "by": "L1", "target": target,
              "replies": [{}], "returns": [{}], "escalations": []}
    assert fu.compare(f1, stored) == []
    assert fu.compare(f1, {**stored, "outcome": "none"}) == [("outcome", "问责", "none")]


def test_a_report_as_of_an_earlier_day_sees_the_follow_up_as_it_stood():
    r = record(first_reply_due="2026-10-12", reply_due="2026-10-30", state="closed",
               replies=[{"at": "2026-10-10T10:00:00+08:00", "reply_due": "2026-10-12"}],
               returns=[{"at": "2026-10-20T10:00:00+08:00", "reply_due": "2026-10-30"}],
               closed_at="2026-11-05T10:00:00+08:00", outcome="none")
    assert fu.standing(r, date(2026, 10, 15))["state"] == "replied"  # answered in time: not late
    assert fu.counts(r, date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 15)).late == 0
    back = fu.standing(r, date(2026, 10, 21))
    assert (back["state"], back["reply_due"]) == ("returned", "2026-10-30")
    assert fu.counts(r, date(2026, 10, 1), date(2026, 11, 30), date(2026, 11, 2)).late == 1
    assert fu.standing(r, date(2026, 11, 5))["state"] == "closed"

"""Properties of the merge that must hold for any templates (hypothesis)."""

import random
from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from checklist.core.merge import items_for
from checklist.core.templates import parse_templates
from helpers import calendar, officer

DUES = {
    "day": [None],
    "week": ["mon", "wed", "fri", "sun"],
    "halfmonth": [1, 10, 16, "last"],
    "month": [1, 15, 31, "last"],
    "quarter": [5, 31, "last"],
    "year": ["02-29", "12-31", "06-01"],
}


@st.composite
def duty(draw):
    every = draw(st.sampled_from(sorted(DUES) + ["once"]))
    line = {"key": draw(st.sampled_from(["ledger", "recheck", "bulletin"])), "title": draw(st.sampled_from(["甲", "乙", "丙"])),
            "role": draw(st.sampled_from(["officer", "lead"])), "every": every,
            "priority": draw(st.sampled_from(["low", "normal", "high"])),
            "tags": draw(st.lists(st.sampled_from(["台账", "终本", "通报"]), max_size=2))}
    due = draw(st.sampled_from(DUES[every])) if every != "once" else None
    if due is not None:
        line["due"] = due
    return line


@st.composite
def campaign(draw, key):
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    end = start + timedelta(days=draw(st.integers(0, 120)))
    duties = draw(st.lists(duty(), min_size=1, max_size=4, unique_by=lambda d: d["key"]))
    for d in duties:
        if d["every"] == "once":
            d["due"] = (start + timedelta(days=draw(st.integers(0, (end - start).days)))).isoformat()
    courts = draw(st.sampled_from([None, ["示例区人民法院"], ["另一区人民法院"]]))
    return {"key": key, "start": start, "end": end, "duties": duties, "courts": courts}


def to_yaml(c):
    text = f"campaign:\n  key: {c['key']}\n  name: {c['key']}\n  start: {c['start']}\n  end: {c['end']}\n"
    if c["courts"]:
        text += f"  scope:\n    courts: {c['courts']}\n"
    text += "duties:\n"
    for d in c["duties"]:
        text += "  - " + "\n    ".join(f"{k}: {v!r}" if isinstance(v, str) and k == "due" else f"{k}: {v}"
                                      for k, v in d.items()) + "\n"
    return text


worlds = st.integers(1, 4).flatmap(lambda n: st.tuples(*[campaign(f"c{i}") for i in range(n)]))


def merged_rows(files, who):
    tset = parse_templates(files)
    return [(i.key, i.period, i.due, i.campaigns, i.priority, i.tags, i.title, i.sources)
            for i in items_for(who, tset, calendar(tset))]


@settings(max_examples=60, deadline=None)
@given(worlds, st.randoms(use_true_random=False))
def test_merge_is_independent_of_template_and_file_order(world, rnd: random.Random):
    files = [(f"{c['key']}.yaml", to_yaml(c)) for c in world]
    who = officer(roles=("officer", "lead"))
    first = merged_rows(files, who)
    shuffled = files[:]
    rnd.shuffle(shuffled)
    renamed = [(f"z{n}-{name}", text) for n, (name, text) in enumerate(shuffled)]
    assert merged_rows(shuffled, who) == first
    assert merged_rows(renamed, who) == first
    for c in world:
        c["duties"].reverse()
    reordered = [(f"{c['key']}.yaml", to_yaml(c)) for c in world]
    assert merged_rows(reordered, who) == first


@settings(max_examples=60, deadline=None)
@given(worlds)
def test_merging_twice_gives_the_same_result_and_one_line_per_key_and_period(world):
    files = [(f"{c['key']}.yaml", to_yaml(c)) for c in world]
    who = officer(roles=("officer",))
    once, twice = merged_rows(files, who), merged_rows(files, who)
    assert once == twice
    counts = Counter((key, period) for key, period, *_ in once)
    assert all(n == 1 for n in counts.values())
    for key, period, due, campaigns, *_ in once:
        assert campaigns == tuple(sorted(set(campaigns)))

"""`rules:` files: statutory clocks validated like templates (every problem with its FILE:LINE), and a
court's stricter local rule replacing the general one."""

from __future__ import annotations

import pytest

from checklist.errors import TemplateError
from helpers import templates

GENERAL = """\
rules:
  - key: exec-notice
    title: 发出执行通知书
    from: filed
    within: 3d
  - key: property-investigation
    title: 完成财产调查
    from: filed
    within: 1m
"""


def problems(**files: str) -> list[str]:
    with pytest.raises(TemplateError) as err:
        templates(**files)
    return err.value.problems


def test_a_court_with_stricter_node_limits_replaces_the_general_rule():
    local = "scope: {courts: [利川市人民法院]}\nrules:\n  - {key: property-investigation, title: 财产查控, from: filed, " \
            "within: 30d}\n"
    found = templates(general=GENERAL, local=local)
    here = {r.key: str(r.within) for r in found.clock_rules("利川市人民法院")}
    elsewhere = {r.key: str(r.within) for r in found.clock_rules("哈尔滨市道里区人民法院")}
    assert here == {"exec-notice": "3d", "property-investigation": "30d"}
    assert elsewhere == {"exec-notice": "3d", "property-investigation": "1m"}


def test_every_problem_in_a_rules_file_is_named_with_its_line():
    bad = """\
rules:
  - key: a
    title: 一
    from: filed
    within: 10d
  - key: b
    title: 二
    from: registered
    within: 10 days
  - key: c
    title: 三
    from: zhongben
    every: 6m
  - key: d
    title: 四
    from: filed
    within: 3d
    every: 6m
    for: 5y
  - key: e
    title: 五
    from: filed
    within: 6m
    paused: stop
  - key: a
    title: 六
    from: filed
    within: 1d
  - key: f
    title: 七
    from: filed
    within: 3d
    role: 院长
"""
    found = problems(rules=bad)
    for line, says in ((9, "'10 days' is not a period"), (8, "from must be one of filed"), (13, "every needs for"),
                       (14, "give within, before"), (24, "paused must be extend"), (25, "is already given at rules.yaml:2"),
                       (29, "role '院长' is not a level or a known title")):
        assert any(p.startswith(f"rules.yaml:{line}:") and says in p for p in found), (line, says, found)


def test_the_shipped_rules_are_the_statutory_limits_with_their_sources():
    from pathlib import Path

    from checklist.sync import parse_bundle, read_bundle

    shipped = {r.key: r for r in parse_bundle(read_bundle(Path(__file__).parent.parent / "templates")).clocks}
    assert (str(shipped["exec-notice"].within), str(shipped["term"].within), shipped["term"].extend) == ("3d", "6m", True)
    assert (str(shipped["zhongben-recheck"].every), str(shipped["zhongben-recheck"].length)) == ("6m", "5y")
    assert str(shipped["seal-renewal"].before) == "30d" and str(shipped["funds-payout"].within) == "30d"
    assert str(shipped["pricing"].within) == "30d" and shipped["pricing"].start == "seized"
    assert all(rule.basis for rule in shipped.values())  # each says where its limit comes from
    assert "法〔2016〕373号" in shipped["zhongben-recheck"].basis and "法发〔2017〕6号" in shipped["funds-payout"].basis


def test_a_clock_longer_than_any_law_sets_is_refused_not_a_crash():
    long = "rules:\n  - {key: x, title: 一, from: filed, within: 9999y}\n  - {key: y, title: 二, from: filed, every: 1d, for: 5y}\n"
    found = problems(rules=long)
    assert any(p.startswith("rules.yaml:2:") and "longer than any statutory clock" in p for p in found), found
    assert any(p.startswith("rules.yaml:3:") and "more than 60 times per case" in p for p in found), found

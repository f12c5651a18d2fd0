"""Template validation: strict YAML, every problem at once with FILE:LINE, aliases refused."""

import time
from pathlib import Path

import pytest

from checklist.core.templates import parse_templates
from checklist.errors import TemplateError
from checklist.loader import load_templates

SHIPPED = Path(__file__).parent.parent / "templates"


def problems(*files):
    with pytest.raises(TemplateError) as err:
        parse_templates(list(files))
    return err.value.problems


def test_shipped_templates_validate_and_overlap():
    tset = load_templates(SHIPPED)
    assert len(tset.campaigns) >= 3
    keys_by_campaign = {}
    for duty in tset.duties:
        keys_by_campaign.setdefault(duty.key, set()).add(duty.campaign)
    shared = [k for k, c in keys_by_campaign.items() if len(c) > 1]
    assert len(shared) >= 3  # the campaigns ask for the same duties in their own words
    assert tset.library  # standard duties live in the library


BROKEN = """\
campaign:
  key: quality year
  name: 提质增效年
  start: 2026-01-01
  end: 2025-12-31
  colour: red
duties:
  - key: ok
    title: 台账
    role: officer
    every: fortnight
  - key: ledger
    title: 周报
    role: officer
    every: week
    due: friday-ish
  - key: ledger
    title: again
    role: officer
    every: month
  - key: once-off
    title: 回访
    role: officer
    every: once
  - key: monthly
    title: 月报
    role: officer
    every: month
    due: 32
    priority: urgent
"""


def test_a_broken_file_gets_every_problem_with_its_line():
    found = problems(("templates/broken.yaml", BROKEN))
    assert found == [
        "templates/broken.yaml:2: campaign key 'quality year' must be letters, digits, '-', '_' or '.' (at most 64)",
        "templates/broken.yaml:5: campaign end 2025-12-31 is before its start 2026-01-01",
        "templates/broken.yaml:6: campaign: unknown field 'colour' (allowed: description, end, key, name, scope, "
        "short, start)",
        "templates/broken.yaml:11: duty 'ok': every must be one of day, week, halfmonth, month, quarter, year, once",
        "templates/broken.yaml:16: duty 'ledger': due for a weekly duty must be mon, tue, wed, thu, fri, sat or sun, "
        "not 'friday-ish'",
        "templates/broken.yaml:17: duty 'ledger' appears twice in campaign (first on line 12)",
        "templates/broken.yaml:21: duty 'once-off': a one-off duty needs 'due: YYYY-MM-DD'",
        "templates/broken.yaml:29: duty 'monthly': due for a month duty must be a day of the month (1 … 31) or "
        "'last', not 32",
        "templates/broken.yaml:30: duty 'monthly': priority must be one of low, normal, high",
    ]


def test_problems_in_several_files_are_all_listed():
    found = problems(
        ("a.yaml", "campaign: [1, 2]\n"),
        ("b.yaml", "duties:\n  - key: x\n    title: t\n    role: officer\n    every: month\n    due: 0\n"),
        ("c.yaml", "campaign:\n  key: c\n  name: c\n  start: 2026-01-01\n  end: 2026-02-01\nduties:\n  - key: nope\n"),
    )
    assert found == [
        "a.yaml:1: campaign must be a mapping of 'name: value' lines",
        "a.yaml:1: campaign: no 'duties:' list",
        "b.yaml:6: duty 'x': due for a month duty must be a day of the month (1 … 31) or 'last', not 0",
        "c.yaml:7: duty 'nope': missing title, role, every (or define the key in the duty library)",
    ]


def test_yaml_syntax_error_names_the_line():
    (found,) = problems(("bad.yaml", "campaign:\n  key: a\n  name: [unclosed\nduties: []\n"))
    assert found.startswith("bad.yaml:4: YAML syntax error:")


def test_duplicate_yaml_keys_are_refused():
    text = "campaign:\n  key: a\n  key: b\n  name: n\n  start: 2026-01-01\n  end: 2026-01-31\nduties: []\n"
    found = problems(("dup.yaml", text))
    assert "dup.yaml:3: campaign: 'key' is given twice (first on line 2)" in found


def test_duplicate_campaign_keys_across_files():
    text = "campaign:\n  key: same\n  name: n\n  start: 2026-01-01\n  end: 2026-01-31\nduties:\n" \
           "  - {key: k, title: t, role: officer, every: week}\n"
    found = problems(("one.yaml", text), ("two.yaml", text))
    assert found == ["two.yaml:2: campaign key 'same' is already used by one.yaml:2"]


def test_anchors_and_aliases_are_refused():
    text = "duties:\n  - &d {key: a, title: t, role: officer, every: week}\n  - *d\n"
    assert problems(("a.yaml", text)) == ["a.yaml:2: anchors and aliases (& and *) are not allowed in templates"]


def test_alias_bomb_is_refused_in_well_under_a_second():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        prev = chr(ord("a") + n - 1)
        cur = chr(ord("a") + n)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    found = problems(("bomb.yaml", "\n".join(lines) + "\n"))
    assert time.perf_counter() - start < 0.5
    assert found == ["bomb.yaml:1: anchors and aliases (& and *) are not allowed in templates"]


def test_python_tags_are_refused_by_the_safe_loader():
    found = problems(("evil.yaml", "campaign: !!python/object/apply:os.system ['echo hi']\n"),
                     ("name.yaml", "duties:\n  - key: !!python/name:os.system\n"))
    assert found == [
        "evil.yaml:1: YAML tags like '!!python/object/apply:os.system' are not allowed in templates",
        "name.yaml:2: YAML tags like '!!python/name:os.system' are not allowed in templates",
    ]


def test_unreadable_bytes_and_binary_files_are_named(tmp_path):
    (tmp_path / "latin.yaml").write_bytes("campaign:\n  name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "nul.yaml").write_bytes(b"duties:\n\0\0")
    with pytest.raises(TemplateError) as err:
        load_templates(tmp_path)
    assert err.value.problems == [
        f"{tmp_path}/latin.yaml:2: not UTF-8 text (byte 21); save the file as UTF-8",
        f"{tmp_path}/nul.yaml:2: contains a NUL byte; is this a binary file?",
    ]


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("duties: []\n", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "sneaky.yaml").symlink_to(outside)
    with pytest.raises(TemplateError) as err:
        load_templates(folder)
    assert err.value.problems == [f"{folder}/sneaky.yaml:1: points outside the templates folder; copy the file in instead"]


def test_weekday_names_in_chinese_and_library_overrides():
    tset = parse_templates([
        ("lib.yaml", "duties:\n  - {key: meet, title: 例会, role: lead, every: week, due: 周一}\n"),
        ("c.yaml", "campaign:\n  key: c\n  name: c\n  start: 2026-01-01\n  end: 2026-01-31\nduties:\n"
                   "  - key: meet\n    every: month\n"),
    ])
    (duty,) = tset.duties
    assert (duty.every, duty.due_text, duty.title, duty.roles) == ("month", "last", "例会", ("lead",))


def test_impossible_dates_are_named_not_crashed_on():
    text = "campaign:\n  key: c\n  name: c\n  start: 2026-02-30\n  end: 2026-12-31\nduties:\n" \
           "  - {key: k, title: t, role: officer, every: once, due: 2026-13-01}\n"
    assert problems(("c.yaml", text)) == [
        "c.yaml:4: campaign start must be a date like 2026-01-31, not '2026-02-30'",
        "c.yaml:7: duty 'k': due for a one-off duty must be a date like 2026-04-05, not '2026-13-01'",
    ]


def test_the_usual_yaml_mistakes_are_said_in_words_with_what_to_do():
    found = problems(("a.yaml", "campaign:\n  key: x\n  name: [a, b\n"), ("b.yaml", "campaign:\n\tkey: x\n"),
                     ("c.yaml", "campaign:\n  key: x: y\n"), ("d.yaml", "{\n0"))
    assert found == [
        "a.yaml:4: YAML syntax error: a list in [ ] is not closed (found the end of the file)",
        "b.yaml:2: YAML syntax error: a tab; indent with spaces",
        "c.yaml:2: YAML syntax error: a ':' where none may be (indentation, or a value with ': ' in it that needs "
        "quotes)",
        "d.yaml:2: YAML syntax error: a mapping in braces is not closed (found the end of the file)",
    ]

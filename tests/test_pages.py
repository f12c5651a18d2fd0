"""HTML pages in a real headless Chromium (tests/browser.py): the report, the indicators, an officer's list
and a whole bureau's lists — self-contained, escaped, their charts saying what the report says, and
printable on A4 with a page break between people.

The world: one court with three teams (a lead and two officers each) under a chief, on the shipped
templates, on 2 December 2026; the demo case list for the indicators. Golden HTML is not compared
byte for byte: the tests read structure and figures from the DOM.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from browser import Browser
from clitools import TEMPLATES, Checklist
from pages_world import build_bureau

HOSTILE = "<script>alert('督办')</script><img src=http://example.invalid/x.png>"


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def bureau(tmp_path_factory):
    """Some work done (unevenly, so the bars differ), a follow-up whose note is markup, in Chinese."""
    folder = tmp_path_factory.mktemp("bureau")
    return build_bureau(folder, note=HOSTILE), folder


def page(cl, folder, name, *args):
    out = folder / name
    done = cl.run(*args, "--format", "html", "--out", str(out), CHECKLIST_LANG="zh")
    assert done.exit_code == 0, done.output
    return out


def test_the_report_page_draws_the_report_and_asks_nothing_of_the_network(bureau, browser, tmp_path):
    cl, folder = bureau
    out = page(cl, folder, "通报.html", "report", "--by", "department", "--from", "2026-11-01", "--all")
    loaded = browser.load(out)
    assert loaded.errors == [] and loaded.requests == [loaded.url]  # the file itself, nothing else
    figures = cl.json("report", "--by", "department", "--from", "2026-11-01", "--all")
    expected = {r["name"]: r["completion"] for r in figures["rows"] if r["due"]}  # nothing due: no bar
    bars = browser.evaluate("[...document.querySelectorAll('rect.bar')].map(r => "
                            "[r.dataset.group, +r.dataset.value, +r.getAttribute('width')])")
    assert {name: value for name, value, _width in bars} == pytest.approx(expected, abs=1e-4)
    scales = [width / value for _name, value, width in bars if value > 0.05]
    assert max(scales) - min(scales) < 3 and all(w == 0 for _n, v, w in bars if v == 0)  # all drawn to one scale
    assert len({value for _n, value, _w in bars}) == 3  # three teams, three different shares
    text = browser.evaluate("document.body.innerText")
    assert "通报" in text and "完成率" in text and HOSTILE in text  # the note is shown as text …
    assert browser.evaluate("document.scripts.length + document.images.length") == 0  # … and runs as nothing
    flagged = browser.evaluate("[...document.querySelectorAll('tr.flagged')].map(r => r.dataset.group)")
    assert flagged == [r["name"] for r in figures["rows"] if r["flagged"]]
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.stat().st_size > 20_000
    assert browser.pdf(tmp_path / "report.pdf") >= 1


def test_a_bureau_s_lists_print_one_person_per_page(bureau, browser, tmp_path):
    cl, folder = bureau
    everyone = page(cl, folder, "全局.html", "today", "--officer", "Z00", "--team")
    loaded = browser.load(everyone)
    assert loaded.errors == [] and loaded.requests == [loaded.url]
    people = browser.evaluate("[...document.querySelectorAll('section.person')].map(s => s.dataset.officer)")
    assert sorted(people) == ["A01", "A02", "A10", "B01", "B02", "B10", "C01", "C02", "C10"]
    assert HOSTILE in browser.evaluate("document.querySelector('[data-officer=C01]').innerText")
    ids = browser.evaluate("[...document.querySelectorAll('[data-officer=A01] tr[data-id]')].map(r => r.dataset.id)")
    listed = cl.json("today", "--officer", "A01")
    assert sorted(ids) == sorted(i["id"] for i in listed["items"])  # every item, none folded away
    team_pages = browser.pdf(tmp_path / "全局.pdf")
    alone = 0  # each person's page printed alone: the bureau's file is exactly those pages, one after another
    for person in people:
        single = page(cl, folder, f"{person}.html", "today", "--officer", person)
        browser.load(single)
        alone += browser.pdf(tmp_path / f"{person}.pdf")
    assert team_pages == alone and team_pages >= len(people)
    screen = browser.screenshot(tmp_path / "team.png")
    assert screen.stat().st_size > 20_000


def test_the_indicators_page_charts_the_rates(tmp_path, browser):
    from clitools import DEMO_ROSTER

    cl = Checklist(tmp_path / "db.json", user="keeper")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    assert cl.run("import", "cases", str(TEMPLATES / "cases-demo.csv")).exit_code == 0
    out = tmp_path / "指标.html"
    assert cl.run("indicators", "--by", "court", "--from", "2026-01-01", "--to", "2026-11-30", "--format", "html",
                  "--out", str(out), CHECKLIST_LANG="zh").exit_code == 0
    loaded = browser.load(out)
    assert loaded.errors == [] and loaded.requests == [loaded.url]
    found = cl.json("indicators", "--by", "court", "--from", "2026-01-01", "--to", "2026-11-30")
    charts = browser.evaluate("[...document.querySelectorAll('svg.chart')].map(svg => "
                              "[...svg.querySelectorAll('rect.bar')].map(r => [r.dataset.group, +r.dataset.value]))")
    assert len(charts) == 3
    full = {row["name"]: row["full_rate"] for row in found["rows"] if row["full_rate"] is not None}
    assert dict(charts[0]) == pytest.approx(full, abs=1e-4) and full
    cells = browser.evaluate("[...document.querySelectorAll('td[data-field=closed]')].map(td => +td.dataset.value)")
    assert cells == [row["closed"] for row in found["rows"]]


def test_pages_are_self_contained_and_need_a_file_on_a_terminal(bureau, tmp_path):
    cl, _folder = bureau
    result = cl.run("report", "--format", "html", "--all", CHECKLIST_LANG="en")  # not a terminal: to stdout
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")
    html = result.stdout
    assert not re.findall(r"<(?:script|img|link|iframe|object|embed|image|use)\b", html)  # nothing to fetch or run
    assert not re.search(r"<[^>]*\s(?:src|href)=", html) and "@import" not in html and "url(" not in html
    assert "&lt;script&gt;" in html  # the follow-up's note, escaped
    assert cl.run("today", "--officer", "A01", "--team", "--format", "html").exit_code == 1  # nobody below A01
    assert cl.run("today", "--team").exit_code == 2  # --team is for pages


def test_a_cjk_font_is_installed_for_the_screenshots():
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no Chinese font: apt-get install fonts-wqy-zenhei (.ci/run does)"


@pytest.mark.parametrize("args, loaded", [
    (("today", "--officer", "A01"), set()),
    (("report", "--all"), set()),
    (("report", "--all", "--format", "html"), {"jinja2"}),
])
def test_the_template_engine_loads_only_for_a_page(bureau, args, loaded):
    import os
    import sys

    cl, _folder = bureau
    code = ("import sys; sys.argv = ['checklist', *sys.argv[1:]]\nfrom checklist.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('loaded:' + ','.join(m for m in ('jinja2', 'openpyxl') if m in sys.modules), file=sys.stderr)")
    env = {**os.environ, **{k: v for k, v in cl.env.items() if v is not None}}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("loaded:") and set(filter(None, last[7:].split(","))) == loaded, done.stderr

"""A bureau of three teams for the HTML pages' tests and the screenshots in docs/ (scripts/screenshots.py).

One court (平房区人民法院): a chief, three leads, two officers each, all started on 2 November 2026, on
the shipped templates, on 2 December 2026. Team 执行一庭 did all of November's items, 执行二庭 half,
速执团队 none (each on its due day); the 速执团队 lead has opened a follow-up on one of theirs.
"""

from __future__ import annotations

from pathlib import Path

from clitools import Checklist

ROSTER = """id,name,court,department,roles,lead,since
A01,赵一,平房区人民法院,执行一庭,officer,A10,2026-11-02
A02,钱二,平房区人民法院,执行一庭,officer,A10,2026-11-02
B01,孙三,平房区人民法院,执行二庭,officer,B10,2026-11-02
B02,李四,平房区人民法院,执行二庭,officer,B10,2026-11-02
C01,周五,平房区人民法院,速执团队,officer,C10,2026-11-02
C02,吴六,平房区人民法院,速执团队,officer,C10,2026-11-02
A10,郑队,平房区人民法院,执行一庭,lead,Z00,2026-11-02
B10,王队,平房区人民法院,执行二庭,lead,Z00,2026-11-02
C10,冯队,平房区人民法院,速执团队,lead,Z00,2026-11-02
Z00,陈局,平房区人民法院,执行局,chief,,2026-11-02
"""
HOSTILE = "<script>alert('督办')</script><img src=http://example.invalid/x.png>"


def build_bureau(folder: Path, note: str = "请说明11月事项全部逾期的原因，三个工作日内整改") -> Checklist:
    roster = folder / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    cl = Checklist(folder / "db.json", user="keeper")
    assert cl.run("import", "roster", str(roster)).exit_code == 0
    items = cl.json("export", "items", "--to", "2026-11-30")["items"]
    share = {"A": 1.0, "B": 0.5, "C": 0.0}
    status = folder / "status.csv"
    lines = ["id,status,done_at"]
    for team, part in share.items():
        mine = [i for i in items if i["officer"].startswith(team)]
        lines += [f"{i['id']},done,{i['due']}" for i in mine[: int(len(mine) * part)]]  # done on the day
    status.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cl.run("import", "status", str(status)).exit_code == 0
    lead = Checklist(cl.db, user="C10")
    assert lead.run("follow-up", "open", "officer:C01", "--note", note, "--no", "速执〔2026〕4号").exit_code == 0
    return cl

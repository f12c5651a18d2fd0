"""Writes templates/cases-demo.csv: the demo's made-up case list (two courts, two years, 320 cases).

Fictional but shaped like a real export: filed from January 2025 to November 2026; about a third
closed (执行完毕, 终本, 终结执行); some paused (暂缓、中止); some with seizures, their expiry and
money received. Deterministic: `python scripts/make_demo_cases.py` writes the same file every time.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OFFICERS = {"哈尔滨市道里区人民法院": ("黑0102", ["DL001", "DL002", "DL003", "DL004", "DL005"]),
            "哈尔滨市南岗区人民法院": ("黑0103", ["NG001", "NG002", "NG003"])}
LAST = date(2026, 11, 30)


def main() -> None:
    rnd = random.Random(2026)
    rows = []
    numbers = {("黑0102", 2025): 0, ("黑0102", 2026): 0, ("黑0103", 2025): 0, ("黑0103", 2026): 0}
    for n in range(320):
        court = "哈尔滨市道里区人民法院" if n % 8 < 5 else "哈尔滨市南岗区人民法院"
        code, officers = OFFICERS[court]
        filed = date(2025, 1, 2) + timedelta(days=int((n / 320) ** 0.8 * 690) + rnd.randint(0, 20))
        filed = min(filed, LAST - timedelta(days=2))
        numbers[(code, filed.year)] += 1
        number = f"（{filed.year}）{code}执{numbers[(code, filed.year)]}号"
        officer = officers[n % len(officers)]
        amount = rnd.choice([8, 15, 30, 50, 80, 120, 200, 350, 600]) * 1000
        closed, how, paid = "", "", 0
        if rnd.random() < 0.45:
            day = filed + timedelta(days=rnd.randint(40, 330))
            if day < LAST:
                closed = day.isoformat()
                how = rnd.choices(["执行完毕", "终本", "终结执行"], weights=[5, 4, 1])[0]
                paid = amount if how == "执行完毕" else rnd.choice([0, 0, amount // 10, amount // 4])
        paused = ""
        if rnd.random() < 0.12:
            start = filed + timedelta(days=rnd.randint(10, 90))
            end = start + timedelta(days=rnd.randint(15, 75))
            paused = f"{start}~{end}" if end < LAST and rnd.random() < 0.8 else f"{start}~"
        seized = seal = ""
        if rnd.random() < 0.4:
            day = filed + timedelta(days=rnd.randint(3, 25))
            if day < LAST:
                seized = day.isoformat()
                seal = (day + timedelta(days=365 * rnd.choice([1, 1, 2, 3]))).isoformat()
        receipts = sorted({(filed + timedelta(days=rnd.randint(20, 300))).isoformat()
                           for _ in range(rnd.choice([0, 0, 0, 1, 1, 2]))})
        receipts = [r for r in receipts if r < LAST.isoformat()]
        rows.append([number, officer, filed.isoformat(), closed, how, amount, paid, paused, seized, seal,
                     "；".join(receipts)])
    path = Path(__file__).resolve().parent.parent / "templates" / "cases-demo.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["案号", "承办人", "立案日期", "结案日期", "结案方式", "申请执行标的", "到位金额", "暂缓中止期间",
                      "查封日期", "查封到期日", "案款到账日"])
        out.writerows(rows)


if __name__ == "__main__":
    main()

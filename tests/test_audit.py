"""History you can trust: the hash chain, tampering of every kind, back-dating, crashes, kills,
concurrency and injected faults."""

import json
import random
import signal
import time

import orjson
import pytest

from checklist.core.history import entry_hash
from clitools import DEMO_ROSTER, Checklist, copy_world, snapshot


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The demo roster, with some history: done, undo, skip and a follow-up."""
    folder = tmp_path_factory.mktemp("seed")
    cl = Checklist(folder / "db.json", today="2026-11-28")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    items = [i["id"] for i in cl.json("today", "--officer", "DL001", "--days", "14")["items"]]
    assert cl.run("done", items[0], items[1], "--note", "已报送").exit_code == 0
    assert cl.run("undo", items[1]).exit_code == 0
    assert cl.run("skip", items[2], "--reason", "不适用").exit_code == 0
    assert cl.run("follow-up", items[3], "--note", "请尽快").exit_code == 0
    return folder


@pytest.fixture
def cl(seeded, tmp_path):
    return copy_world(seeded, tmp_path, today="2026-11-28")


def log_path(cl):
    return cl.db.parent / "db.json.d" / "log.jsonl"


def verify(cl, *args):
    return cl.run("audit", "verify", *args)


def manifest(cl):
    return json.loads(cl.db.read_text(encoding="utf-8"))


def save_manifest(cl, doc):
    cl.db.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def items_file(cl, officer):
    """(path, parsed) of an officer's items file, and a function that saves it as a careful forger would:
    with the size the manifest records fixed to match."""
    doc = manifest(cl)
    ref = next(f for f in doc["files"].values() if f["officer"] == officer)
    path = cl.db.parent / "db.json.d" / "items" / ref["items"]

    def save(data):
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8")
        path.write_bytes(raw)
        ref["size"] = len(raw)
        save_manifest(cl, doc)

    return path, json.loads(path.read_text(encoding="utf-8")), save


def rewrite_log(cl, entries):
    """Re-chain and write back the whole log, the officers' copies and the manifest, as a forger would."""
    previous = "0" * 64
    for entry in entries:
        entry["prev"] = previous
        entry["hash"] = previous = entry_hash(entry)
    lines = [orjson.dumps(e, option=orjson.OPT_SORT_KEYS) + b"\n" for e in entries]
    log_path(cl).write_bytes(b"".join(lines))
    doc = manifest(cl)
    store = next(iter(doc["store"].values()))
    store["log"] = {"size": sum(map(len, lines)), "seq": entries[-1]["seq"], "hash": entries[-1]["hash"]}
    from checklist.store.files import file_stem

    for ref in doc["files"].values():
        mine = b"".join(line for e, line in zip(entries, lines) if e.get("officer") == ref["officer"])
        (cl.db.parent / "db.json.d" / "history" / f"{file_stem(ref['officer'])}.jsonl").write_bytes(mine)
        ref["history"], ref["entries"] = len(mine), mine.count(b"\n")
    save_manifest(cl, doc)


def entries_of(cl):
    return [orjson.loads(line) for line in log_path(cl).read_bytes().splitlines()]


def test_an_untouched_history_verifies(cl):
    result = verify(cl)
    assert result.exit_code == 0, result.output
    entries = cl.json("log")["entries"]
    assert result.stdout.startswith(f"ok: {len(entries)} entries, chain intact; ")
    head = cl.run("audit", "head").stdout.strip()
    assert head.startswith(f"{len(entries)}-") and len(head) == len(str(len(entries))) + 65
    assert verify(cl, "--head", head).exit_code == 0
    actions = [e["action"] for e in entries]
    assert actions[0] == "templates" and actions.count("roster") == 13 and actions.count("sync") == 13
    assert actions[-5:] == ["done", "done", "undo", "skip", "follow-up"]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert entries[1]["prev"] == entries[0]["hash"]


def test_a_flipped_byte_is_named(cl):
    lines = log_path(cl).read_bytes().split(b"\n")
    n = next(i for i, line in enumerate(lines) if b'"action":"undo"' in line)
    lines[n] = lines[n].replace(b'"undo"', b'"dome"', 1)
    log_path(cl).write_bytes(b"\n".join(lines))
    result = verify(cl)
    assert result.exit_code == 1
    assert f"{log_path(cl)}:{n + 1}: entry {n + 1} was altered after it was written" in result.stderr


def test_a_deleted_entry_is_named(cl):
    lines = log_path(cl).read_bytes().splitlines(keepends=True)
    log_path(cl).write_bytes(b"".join(lines[:2] + lines[3:]) + lines[2][:0] + b"\n" * 0)
    doc = manifest(cl)  # the manifest records the log's length: make it fit, as a forger would
    next(iter(doc["store"].values()))["log"]["size"] = log_path(cl).stat().st_size
    save_manifest(cl, doc)
    result = verify(cl)
    assert result.exit_code == 1
    assert f"{log_path(cl)}:3: entry 4 where entry 3 should be; entries were removed here" in result.stderr


def test_two_reordered_entries_are_named(cl):
    lines = log_path(cl).read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    log_path(cl).write_bytes(b"".join(lines))
    result = verify(cl)
    assert result.exit_code == 1
    assert f"{log_path(cl)}:2: entry 3 where entry 2 should be; entries were reordered here" in result.stderr


def test_an_item_edited_in_its_file_is_named(cl):
    path, data, save = items_file(cl, "DL002")
    doc = next(iter(data["items"].values()))
    doc["status"], doc["done_at"] = "done", "2026-11-20T09:00:00+08:00"  # back-dated, no history
    save(data)
    title = next(p["title"] for p in data["plans"].values() if p["id"] == doc["plan"])
    result = verify(cl)
    assert result.exit_code == 1
    assert f"item {doc['id']} (DL002 {title}, due {doc['due']}): status is 'done' but the history says " \
           "'open', done_at is '2026-11-20T09:00:00+08:00' but the history says None" in result.stderr


def test_an_edit_that_changes_a_files_size_is_damage_named_at_once(cl):
    path, data, _save = items_file(cl, "DL002")
    next(iter(data["items"].values()))["status"] = "done"
    path.write_text(json.dumps(data, ensure_ascii=False) + " ", encoding="utf-8")
    result = cl.run("today", "--officer", "DL002")
    assert result.exit_code == 3 and str(path) in result.stderr and "damaged" in result.stderr


def test_a_done_items_due_date_moved_later_is_named(cl):
    path, data, save = items_file(cl, "DL001")
    doc = next(d for d in data["items"].values() if d["status"] == "done")
    doc["due"] = "2026-12-31"  # late work made to look on time
    save(data)
    result = verify(cl)
    assert result.exit_code == 1 and f"item {doc['id']}" in result.stderr
    assert "due is '2026-12-31' but the history says" in result.stderr


def test_duty_fields_edited_in_a_file_are_named(cl):
    path, data, save = items_file(cl, "DL003")
    plan = next(iter(data["plans"].values()))
    plan["campaigns"] = plan["campaigns"] + ["forged-campaign"]
    save(data)
    result = verify(cl)
    assert result.exit_code == 1 and "duty fields is" in result.stderr


@pytest.mark.parametrize("field, value", [("court", "哈尔滨市南岗区人民法院"), ("since", "2026-01-01"), ("lead", "")])
def test_a_roster_edit_is_named(cl, field, value):
    doc = manifest(cl)
    officer = next(o for o in doc["officers"].values() if o["id"] == "DL002")
    officer[field] = value
    save_manifest(cl, doc)
    result = verify(cl)
    assert result.exit_code == 1
    assert f"officer DL002: {field} on the roster differ from the history" in result.stderr


def test_a_deleted_item_is_named(cl):
    path, data, save = items_file(cl, "DL002")
    key, doc = next(iter(data["items"].items()))
    del data["items"][key]
    save(data)
    result = verify(cl)
    assert result.exit_code == 1
    assert f"item {doc['id']} (DL002, period {doc['period']}, due {doc['due']}) is in the history but missing" \
        in result.stderr


def test_a_deleted_officer_is_named(cl):
    doc = manifest(cl)
    doc["officers"] = {k: o for k, o in doc["officers"].items() if o["id"] != "NG003"}
    save_manifest(cl, doc)
    result = verify(cl)
    assert result.exit_code == 1
    assert "officer NG003 is in the history but not on the roster" in result.stderr


def test_a_rewritten_history_is_caught_by_an_earlier_head(cl):
    head = cl.run("audit", "head").stdout.strip()
    entries = entries_of(cl)
    done = next(e for e in entries if e["action"] == "done")
    done["note"] = "改过的备注"  # changes no state, and every hash after it is recomputed
    rewrite_log(cl, entries)
    assert verify(cl).exit_code == 0  # self-consistent …
    result = verify(cl, "--head", head)  # … but not the history the lead wrote down
    assert result.exit_code == 1
    seq = head.split("-")[0]
    assert f"head {head}: entry {seq} now has hash" in result.stderr and "rewritten since that head" in result.stderr


def test_a_forged_entry_of_the_wrong_shape_is_named_not_a_crash(cl):
    entries = entries_of(cl)
    entries[-1]["after"] = ["not", "an", "object"]
    rewrite_log(cl, entries)
    result = verify(cl)
    assert result.exit_code == 1 and "internal error" not in result.stderr
    assert f"entry {len(entries)} is not an entry checklist writes ('after' is not an object)" in result.stderr


def test_a_forged_transition_is_named(cl):
    entries = entries_of(cl)
    skip = next(e for e in reversed(entries) if e["action"] == "skip")
    skip["action"] = "withdraw"  # only a sync withdraws, and never from a person's hand
    rewrite_log(cl, entries)
    result = verify(cl)
    assert result.exit_code == 1 and "unknown action 'withdraw'" in result.stderr


def test_a_deleted_copy_in_an_officers_history_is_named(cl):
    from checklist.store.files import file_stem

    copy = cl.db.parent / "db.json.d" / "history" / f"{file_stem('DL001')}.jsonl"
    lines = copy.read_bytes().splitlines(keepends=True)
    copy.write_bytes(b"".join(lines[1:]) + lines[0])  # the same bytes, the first entry moved to the end
    moved = verify(cl)
    assert moved.exit_code == 1 and "officer DL001: their history file has entries out of order" in moved.stderr
    copy.write_bytes(b"".join(lines[1:]))
    doc = manifest(cl)  # the size the manifest records, made to fit
    next(f for f in doc["files"].values() if f["officer"] == "DL001")["history"] = copy.stat().st_size
    save_manifest(cl, doc)
    result = verify(cl)
    assert result.exit_code == 1
    first = orjson.loads(lines[0])["seq"]
    assert f"officer DL001: entries {first} are missing from their history file" in result.stderr


# -- back-dating ------------------------------------------------------------------------------------------------


def test_back_dated_work_shows_both_dates_and_is_listed_in_the_report(cl):
    item = next(i["id"] for i in cl.json("today", "--officer", "DL002")["items"] if i["status"] == "open")
    late = cl.run("done", item, "--on", "2026-11-16", CHECKLIST_TODAY="2026-11-28")  # clock: 28 Nov
    assert late.exit_code == 0
    shown = cl.json("show", item)
    last = shown["history"][-1]
    assert last["at"].startswith("2026-11-16") and last["recorded"].startswith("2026-11-28")
    assert shown["done_at"].startswith("2026-11-16") and shown["recorded_at"].startswith("2026-11-28")
    assert "recorded 2026-11-28 09:00" in cl.run("show", item).stdout
    report = cl.json("report", "--month", "2026-11", "--all")
    claims = {r["id"]: r for r in report["recorded_late"]}
    assert claims[item]["claimed"] == "2026-11-16" and claims[item]["recorded"] == "2026-11-28"
    assert claims[item]["workdays"] == 9  # 17 … 27 Nov less two weekends, + the 28th is a Saturday
    assert "Recorded late" in cl.run("report", "--month", "2026-11", "--all").stdout
    assert item not in {r["id"] for r in cl.json("report", "--month", "2026-11", "--all",
                                                 "--recorded-late-days", "20")["recorded_late"]}
    refused = cl.run("done", item, "--on", "2026-11-29")
    assert refused.exit_code == 1 and "after today" in refused.stderr


def test_a_process_run_with_an_as_of_date_records_the_real_clock(cl):
    item = next(i["id"] for i in cl.json("today", "--officer", "DL003")["items"] if i["status"] == "open")
    assert cl.call("done", item, CHECKLIST_TODAY="2026-11-02", real_clock=True).returncode == 0  # the real clock
    shown = cl.json("show", item)
    assert shown["done_at"].startswith("2026-11-02") and shown["recorded_at"][:10] >= "2026-12-02"
    assert item in {r["id"] for r in cl.json("report", "--month", "2026-11", "--all")["recorded_late"]}


def test_recorded_times_that_go_backwards_are_named(cl):
    entries = entries_of(cl)
    entries[-1]["recorded"] = "2026-01-01T08:00:00+08:00"  # a clock set back, the chain made whole again
    rewrite_log(cl, entries)
    result = verify(cl)
    assert result.exit_code == 1
    assert f"entry {len(entries)} was recorded at 2026-01-01T08:00:00+08:00, before entry" in result.stderr


# -- a quick nightly check ----------------------------------------------------------------------------------------


def test_verify_from_a_head_checks_only_what_follows(cl):
    head = cl.run("audit", "head").stdout.strip()
    item = next(i["id"] for i in cl.json("today", "--officer", "NG001")["items"] if i["status"] == "open")
    assert cl.run("done", item).exit_code == 0
    quick = verify(cl, "--from", head)
    assert quick.exit_code == 0, quick.output
    seq = int(head.split("-")[0])
    assert quick.stdout.startswith(f"ok: entries {seq + 1}–{seq + 1}, chain intact; 1 officers they touch")
    path, data, save = items_file(cl, "NG001")  # a later edit of that officer is caught by the quick check
    next(d for d in data["items"].values() if d["id"] != item)["status"] = "done"
    save(data)
    assert verify(cl, "--from", head).exit_code == 1
    bad = verify(cl, "--from", f"{seq}-{'0' * 64}")
    assert bad.exit_code == 1 and "rewritten since that head" in bad.stderr


# -- crashes, kills, concurrency --------------------------------------------------------------------------


def state_and_audit(cl):
    from checklist.store import open_store

    with open_store(cl.db).reading() as reader:
        state = {o["id"]: sorted((i["id"], i["status"]) for i in reader.items(o["id"])) for o in reader.officers()}
    audit = verify(cl)
    assert audit.exit_code == 0, audit.output
    return state


def status_file(cl, tmp_path, officers=("DL001", "DL002", "NG001", "NG002"), limit=None):
    rows = [i for i in cl.json("export", "items", "--to", "2026-12-31")["items"]
            if i["officer"] in officers and i["status"] == "open"][:limit]
    path = tmp_path / "status.csv"
    path.write_text("id,status,note\n" + "".join(f"{r['id']},done,夜间导入\n" for r in rows), encoding="utf-8")
    return path, {r["id"] for r in rows}


@pytest.mark.parametrize("fault", ["file-written:1", "file-written:3", "log-partial", "log-written", "copies-written",
                                   "manifest-written", "committed"])
def test_a_crash_in_the_middle_of_an_import_leaves_the_old_or_the_new_state(cl, tmp_path, fault):
    path, ids = status_file(cl, tmp_path)
    old = state_and_audit(cl)
    assert cl.call("import", "status", str(path), CHECKLIST_FAULT=fault).returncode == 86
    after = state_and_audit(cl)
    if fault == "committed":
        done = {i for rows in after.values() for i, status in rows if status == "done"}
        assert ids <= done
    else:
        assert after == old


def test_kills_aimed_at_the_commit_window_of_a_large_import_are_all_or_nothing(cl, tmp_path):
    """Each write's commit is slowed (a pause at every step) so that a kill lands inside it."""
    path, ids = status_file(cl, tmp_path, officers=tuple(f"{c}{n:03d}" for c in ("DL", "NG") for n in range(30)))
    pending = cl.db.parent / "db.json.d" / "pending"
    rnd = random.Random(20261128)
    inside, outcomes = 0, set()
    for _ in range(8):
        proc = cl.spawn("import", "status", str(path), CHECKLIST_FAULT="slow:60")
        deadline = time.monotonic() + 60
        while not pending.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rnd.uniform(0.0, 0.35))  # somewhere in the ~0.4 s the commit takes at this pace
        inside += pending.exists() and proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        statuses = {i: s for rows in state_and_audit(cl).values() for i, s in rows}
        done = {i for i in ids if statuses[i] == "done"}
        assert done in (set(), ids)  # all or nothing
        outcomes.add(bool(done))
        if done:
            undo = tmp_path / "undo.csv"
            undo.write_text("id,status\n" + "".join(f"{i},open\n" for i in ids), encoding="utf-8")
            assert cl.run("import", "status", str(undo)).exit_code == 0
    assert inside >= 6  # the kills really landed inside commits
    assert outcomes == {False, True} or outcomes == {False}  # mostly before the commit point, by design


def test_eight_officers_done_and_an_import_at_the_same_moment(cl, tmp_path):
    path, imported = status_file(cl, tmp_path, officers=("DL003", "DL004", "NG003"))
    officers = ["DL001", "DL002", "DL005", "NG001", "NG002", "DL010", "NG010", "DL011"]
    picks = {}
    for officer in officers:
        items = cl.json("today", "--officer", officer, "--days", "30")["items"]
        picks[officer] = next(i["id"] for i in items if i["status"] == "open")
    before = len(cl.json("log")["entries"])
    procs = [cl.spawn("import", "status", str(path))]
    procs += [cl.spawn("done", item, "--officer", officer, CHECKLIST_USER=officer) for officer, item in picks.items()]
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0] * 9, [p.stderr.read() for p in procs]
    state = state_and_audit(cl)
    statuses = {i: s for rows in state.values() for i, s in rows}
    assert all(statuses[i] == "done" for i in [*picks.values(), *imported])
    assert verify(cl).stdout.startswith(f"ok: {before + len(picks) + len(imported)} entries, chain intact")


@pytest.mark.parametrize("fault, words", [("enospc", "the disk is full"), ("erofs", "read-only or not permitted"),
                                          ("enospc:4", "the disk is full")])
def test_injected_disk_full_and_read_only_errors_are_exit_3_and_change_nothing(cl, tmp_path, fault, words):
    path, _ = status_file(cl, tmp_path, limit=40)
    roster = tmp_path / "roster.csv"
    roster.write_text(DEMO_ROSTER.read_text(encoding="utf-8").replace("DL001,周敏", "DL001,周敏敏"), encoding="utf-8")
    item = cl.json("today", "--officer", "DL002")["items"][0]["id"]
    before = snapshot(cl.db)
    for args in (("done", item), ("import", "status", str(path)), ("import", "roster", str(roster))):
        result = cl.call(*args, CHECKLIST_FAULT=fault, CHECKLIST_TODAY="2026-11-28")
        assert result.returncode == 3, (args, result.stderr)
        assert words in result.stderr and "nothing was changed" in result.stderr
        assert "Traceback" not in result.stderr
        assert snapshot(cl.db) == before
    assert verify(cl).exit_code == 0


def test_doctor_reports_each_check_and_what_to_do(cl):
    result = cl.run("doctor")
    assert result.exit_code == 0, result.output
    late = cl.run("doctor", "--json", CHECKLIST_TODAY="2099-06-01")  # a year no holiday data will ever cover
    assert late.exit_code == 1  # no data for the current year: a problem, not a note
    doc = json.loads(late.stdout)
    assert [c["name"] for c in doc["checks"]] == ["templates", "calendar", "lock", "files", "database", "history"]
    calendar = doc["checks"][1]
    assert calendar["detail"].startswith("no holiday data for 2099, 2100") and "chinesecalendar" in calendar["advice"]
    lines = log_path(cl).read_bytes().splitlines(keepends=True)
    log_path(cl).write_bytes(b"".join(lines[:1] + [lines[2], lines[1]] + lines[3:]))
    broken = cl.run("doctor")
    assert broken.exit_code == 1 and "problem" in broken.stdout and "audit verify" in broken.stdout


def test_a_damaged_log_line_is_named_and_never_rewritten(cl):
    lines = log_path(cl).read_bytes().splitlines(keepends=True)
    lines[-1] = lines[-1][:20] + b"#" * (len(lines[-1]) - 21) + b"\n"  # the same length, not an entry
    log_path(cl).write_bytes(b"".join(lines))
    result = verify(cl)
    assert result.exit_code == 1
    assert f"{log_path(cl)}:{len(lines)}: entry {len(lines)} is damaged" in result.stderr
    item = cl.json("today", "--officer", "DL002")["items"][0]["id"]
    assert cl.run("done", item).exit_code == 0  # new work chains onto the recorded head …
    assert log_path(cl).read_bytes().splitlines(keepends=True)[: len(lines)] == lines  # … and the evidence stays


def forged_upgrade(entries, seq):
    """An 'upgrade' entry as a forger would add it: the last done item, skipped and moved."""
    done = next(e for e in reversed(entries) if e["action"] == "done")
    return {"at": done["at"], "recorded": done["recorded"], "actor": "x", "action": "upgrade",
            "officer": done["officer"], "after": {"id": done["officer"]},
            "items": {done["item"]: ["2026-W48", "2026-12-31", "0" * 16, "skipped", None, False]}, "seq": seq}


def test_a_forged_upgrade_entry_is_named(cl):
    entries = entries_of(cl)
    forged = forged_upgrade(entries, entries[-1]["seq"] + 1)
    rewrite_log(cl, entries + [forged])
    result = verify(cl)
    assert result.exit_code == 1
    assert f"entry {forged['seq']} is an upgrade record where no checklist 0.1 database was taken over" \
        in result.stderr


def edit_templates(cl, fingerprint_too):
    """Change a campaign's name in the stored templates, fixing the recorded size (and, as a careful forger
    would, the recorded fingerprint too)."""
    from checklist.sync import bundle_fingerprint

    doc = manifest(cl)
    ref = next(iter(doc["store"].values()))["templates"]
    path = cl.db.parent / "db.json.d" / "templates" / ref["file"]
    bundle = json.loads(path.read_text(encoding="utf-8"))
    files = [(f["path"], f["text"].replace("提质增效", "提质降效")) for f in bundle["templates"].values()]
    data = json.dumps({"templates": {str(n): {"path": p, "text": t} for n, (p, t) in enumerate(files, start=1)}},
                      ensure_ascii=False).encode("utf-8")
    path.write_bytes(data)
    ref["size"] = len(data)
    if fingerprint_too:
        next(iter(doc["meta"].values()))["templates"]["fingerprint"] = bundle_fingerprint(files)
    save_manifest(cl, doc)


def test_verify_from_a_head_still_checks_the_templates(cl):
    head = cl.run("audit", "head").stdout.strip()
    edit_templates(cl, fingerprint_too=False)
    result = verify(cl, "--from", head)
    assert result.exit_code == 1 and "changed without checklist templates apply" in result.stderr


def test_a_forged_upgrade_block_after_a_quick_check_head_is_named(cl):
    head = cl.run("audit", "head").stdout.strip()
    entries = entries_of(cl)
    last = entries[-1]
    block = [{"at": last["at"], "recorded": last["recorded"], "actor": "x", "action": "templates", "officer": None,
              "after": {"fingerprint": "f" * 64, "files": 3, "upgrade": True}, "seq": last["seq"] + 1},
             forged_upgrade(entries, last["seq"] + 2)]
    rewrite_log(cl, entries + block)
    for args in (("--from", head), ()):
        result = verify(cl, *args)
        assert result.exit_code == 1
        assert f"entry {last['seq'] + 1} is an upgrade record where no checklist 0.1 database was taken over" \
            in result.stderr


def test_templates_swapped_without_a_trace_are_named_by_the_quick_check(cl):
    head = cl.run("audit", "head").stdout.strip()
    edit_templates(cl, fingerprint_too=True)  # the file, its size and the recorded fingerprint all agree
    for args in (("--from", head), ()):
        result = verify(cl, *args)
        assert result.exit_code == 1 and "are not the ones the history last applied" in result.stderr, args


def test_a_quick_check_with_nothing_new_says_so(cl):
    head = cl.run("audit", "head").stdout.strip()
    result = verify(cl, "--from", head)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"ok: no entries since {head}; it is still the history's head"


def test_an_id_index_that_names_the_wrong_officer_is_named(cl):
    doc = manifest(cl)
    bucket = next(iter(doc["buckets"].values()))
    path = cl.db.parent / "db.json.d" / "ids" / bucket["file"]
    data = json.loads(path.read_text(encoding="utf-8"))
    record = next(iter(data["ids"].values()))
    owner = record["officer"]
    record["officer"] = "NG020" if owner != "NG020" else "DL001"
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    bucket["size"] = len(raw)
    save_manifest(cl, doc)
    result = verify(cl)
    assert result.exit_code == 1
    assert f"the id index for ids starting '{record['id'][:2]}' does not match the items" in result.stderr
    assert cl.run("doctor").exit_code == 1


@pytest.mark.parametrize("field, value", [("at", "yesterday"), ("recorded", "2026-11-28T09:00:00"),
                                          ("note", 5)])
def test_entries_with_impossible_times_or_notes_are_named(cl, field, value):
    entries = entries_of(cl)
    done = next(e for e in reversed(entries) if e["action"] == "done")
    done[field] = value
    rewrite_log(cl, entries)
    result = verify(cl)
    assert result.exit_code == 1 and f"entry {done['seq']} is not an entry checklist writes" in result.stderr
    assert "internal error" not in result.stderr

"""`make mutate`: mutation testing of the core rules with mutmut, each module against its own tests.

mutmut 2 rewrites the source file in place while it runs, so this works on a scratch copy of the
tracked files (never on the working tree). For every module it prints the kill rate and the diff of
every surviving mutant. Mutants that cannot change behaviour (equivalent mutants) are listed, with
the reason, in tests/mutation/equivalent.txt; they are left out of the rate and shown apart.

    python scripts/mutate.py                      # every module below
    python scripts/mutate.py track/status.py      # some modules (paths under pipeline/)
    python scripts/mutate.py --status             # how far each module's cache has got (safe while running)
    python scripts/mutate.py --survivors parse/table.py   # its surviving mutants so far (safe while running)
    python scripts/mutate.py --fresh ...          # forget the caches, judge every mutant again

Slow (minutes per module) and CPU-bound: not part of `make test` or CI.

Resumable: a scratch copy and a mutmut cache per module live in `.mutate/` (git-ignored), so a run
that is stopped continues where it was, and after new tests only the survivors (and mutants never
judged) run again — mutmut keeps a killed mutant killed, and re-judges the others when the tests change.
Never point `mutmut show`/`results` at a cache while its run is going: the two open the same SQLite
file, and mutmut's feeder thread dies on the lock, leaving the run waiting forever (seen twice).
`--status` reads a copy.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATE = REPO / ".mutate"             # trees/<module>: its scratch copy; caches/: one mutmut cache per module
EQUIVALENT = REPO / "tests" / "mutation" / "equivalent.txt"
GOAL = 85.0

# module (under pipeline/) → its own tests (the runner stops at the first failure: -x)
MODULES: dict[str, list[str]] = {
    "track/status.py": ["tests/test_track_status.py", "tests/test_track_status_boundaries.py"],
    "diff/redline.py": ["tests/test_redline_gold.py", "tests/test_diff_redline_tokens.py",
                        "tests/test_diff_other_district.py"],
    "parse/targets.py": ["tests/test_target_rules.py", "tests/test_targets.py", "tests/test_target_cues.py", "tests/test_grammar_properties.py",
                         "tests/test_real_shapes.py",
                         "tests/test_shanghai_gold.py"],   # compound units, ranges, classifiers of real notices
    "parse/table.py": ["tests/test_table_rules.py", "tests/test_parse_reference.py", "tests/test_parse_hazards.py", "tests/test_real_shapes.py",
                       "tests/test_readers_md_html.py", "tests/test_readers_docx.py", "tests/test_parse_variant.py",
                       "tests/test_shanghai_gold.py"],   # merged cells (docx), flattened tables (real notices)
    "parse/cover.py": ["tests/test_cover_rules.py", "tests/test_cover_fields.py", "tests/test_header_block.py", "tests/test_shanghai_gold.py",
                       "tests/test_parse_variant.py"],   # joint issuers, organ-first titles of real notices
    "parse/reconcile.py": ["tests/test_reconcile.py"],
    "track/ingest.py": ["tests/test_track_ingest_messages.py", "tests/test_track_ingest_rules.py", "tests/test_track_ingest.py",
                        "tests/test_hostile_tracker.py"],   # formula cells: test_hostile_tracker
    "diff/quantities.py": ["tests/test_diff_units.py", "tests/test_diff_gold.py"],
    "diff/tasks.py": ["tests/test_diff_tasks_rules.py", "tests/test_diff_gold.py", "tests/test_diff_units.py"],
    "readers/docx.py": ["tests/test_docx_guard_rules.py", "tests/test_docx_guards.py", "tests/test_readers_docx.py"],
    "zipguard.py": ["tests/test_docx_guards.py", "tests/test_hostile_packages.py"],   # the package guard .docx shares
    "watch/process.py": ["tests/test_watch_duplicate_key.py", "tests/test_watch_archive.py"],
    # busy, read-only, network, moved; the 150-opener race (10 s a run) is left to its 25-opener twin
    "archive.py": ["tests/test_archive_rules.py", "tests/test_watch_archive.py", "tests/test_hostile_archive.py",
                   "--deselect=tests/test_hostile_archive.py::test_many_processes_open_a_fresh_archive_at_the_same_moment[2-150]"],
}


# modules judged on part of their lines only (issue 18 names "watch/process.py (duplicate key)"): the
# top-level functions and constants listed; mutmut mutates just their lines (`--use-patch-file`)
SCOPES: dict[str, tuple[str, ...]] = {
    "watch/process.py": ("canonical_hash", "_READING_DETAILS", "_strip_where", "_sha256"),
    # readers/docx.py "(guards)": the Word-specific checks; the size/entry caps live in zipguard.py
    "readers/docx.py": ("check_package", "_MACRO_MARKERS", "MAX_TABLE_COLUMNS", "_int_attr", "_level_attr"),
}


def _scope_patch(work: Path, module: str, names: tuple[str, ...]) -> Path:
    """A patch that "adds" the lines of the named top-level definitions, for mutmut's --use-patch-file."""
    import ast
    path = f"pipeline/{module}"
    lines = (work / path).read_text(encoding="utf-8").splitlines()
    hunks = []
    for node in ast.parse("\n".join(lines)).body:
        targets = [node.name] if hasattr(node, "name") else [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if set(targets) & set(names):
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            body = lines[start - 1:node.end_lineno]
            hunks.append(f"@@ -0,0 +{start},{len(body)} @@\n" + "".join(f"+{ln}\n" for ln in body))
    missing = set(names) - {n for h in hunks for n in names if f"def {n}(" in h or f"{n} =" in h}
    if missing:
        raise SystemExit(f"{module}: no top-level definition of {', '.join(sorted(missing))}")
    patch = work / f".scope-{module.replace('/', '-')}.patch"
    patch.write_text(f"--- a/{path}\n+++ b/{path}\n" + "".join(hunks), encoding="utf-8")
    return patch


def equivalent_mutants() -> dict[str, list[tuple[str, str]]]:
    """module → [(removed line, added line)] from tests/mutation/equivalent.txt.

    Format, one mutant per block: `module: <path>`, `- <original line>`, `+ <mutated line>`,
    `why: <reason>`; blank lines between blocks. Lines are compared stripped."""
    out: dict[str, list[tuple[str, str]]] = {}
    if not EQUIVALENT.exists():
        return out
    module = minus = None
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.startswith("module:"):
            module = line.split(":", 1)[1].strip()
        elif line.startswith("- "):
            minus = line[2:].strip()
        elif line.startswith("+ ") and module and minus is not None:
            out.setdefault(module, []).append((minus, line[2:].strip()))
            minus = None
    return out


def _diff_lines(diff: str) -> tuple[str, str]:
    minus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    return (minus[0] if minus else ""), (plus[0] if plus else "")


def _ids(mutmut: list[str], work: Path, status: str) -> list[int]:
    r = subprocess.run(mutmut + ["result-ids", status], cwd=work, capture_output=True, text=True)
    return [int(x) for x in r.stdout.split() if x.isdigit()]


def _cache_of(module: str) -> Path:
    return STATE / "caches" / (module.replace("/", "-") + ".sqlite")


def _use_cache(work: Path, module: str) -> None:
    """Point the scratch tree's .mutmut-cache (the name mutmut insists on) at this module's own cache."""
    link = work / ".mutmut-cache"
    cache = _cache_of(module)
    cache.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    for stale in work.glob(".mutmut-cache-journal"):
        stale.unlink()
    link.symlink_to(cache)


def _sync_tree(work: Path) -> None:
    """Bring the scratch copy up to the working tree's tracked files (only what changed is copied,
    so mutmut's source hashes — and the cache — stay valid for unchanged modules)."""
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        src, dst = REPO / f, work / f
        if src.is_file() and (not dst.exists() or dst.read_bytes() != src.read_bytes()):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    if (REPO / "fonts").exists() and not (work / "fonts").exists():
        os.symlink((REPO / "fonts").resolve(), work / "fonts")


def status() -> int:
    """Counts per cached module, read from a copy (never the live file)."""
    import sqlite3
    for cache in sorted((STATE / "caches").glob("*.sqlite")):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "c.sqlite"
            shutil.copy2(cache, copy)
            con = sqlite3.connect(copy)
            try:
                counts = dict(con.execute("select status, count(*) from Mutant group by status").fetchall())
            except sqlite3.DatabaseError:
                counts = {}
            con.close()
        print(f"{cache.stem:22s} " + "  ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


def survivors(module: str) -> int:
    """The surviving mutants of `module` so far, as diffs — from copies of its cache and source, so a
    run in progress is not disturbed."""
    cache = _cache_of(module)
    if not cache.exists():
        print(f"{module}: 还没有运行过", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy2(cache, work / ".mutmut-cache")
        (work / "pipeline" / module).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "pipeline" / module, work / "pipeline" / module)
        mutmut = [sys.executable, "-m", "mutmut"]
        for i in _ids(mutmut, work, "survived"):
            diff = subprocess.run(mutmut + ["show", str(i)], cwd=work, capture_output=True, text=True).stdout
            print(f"#{i}\n" + "\n".join(ln for ln in diff.splitlines() if re.match(r"^(@@|[-+](?![-+]))", ln)))
    return 0


MAX_RESTARTS = 5
STALL_SECONDS = 180      # no test process under mutmut for this long: its worker is gone


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _running_tests(pid: int) -> bool:
    for c in _descendants(pid):
        try:
            if b"pytest" in Path(f"/proc/{c}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def _run_watched(command: list[str], work: Path, env: dict) -> bool:
    """Run mutmut; True when it ended by itself. mutmut 2's worker process sometimes vanishes (seen with
    several runs on a loaded machine) and the main process then waits forever on its result queue with
    no test running: after `STALL_SECONDS` of that the run is stopped (False) and can be resumed."""
    import time
    proc = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    idle_since = time.monotonic()
    can_see_processes = Path("/proc").exists()        # without /proc (not Linux) there is no watchdog
    while proc.poll() is None:
        time.sleep(10)
        if not can_see_processes or _running_tests(proc.pid):
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > STALL_SECONDS:
            os.killpg(proc.pid, 15)
            proc.wait()
            return False
    return True


def run_module(module: str, tests: list[str], work: Path, equivalent: list[tuple[str, str]]) -> dict:
    mutmut = [sys.executable, "-m", "mutmut"]
    _use_cache(work, module)
    # a listed file not written yet would "kill" every mutant; options (--deselect=…) pass through
    tests = [t for t in tests if t.startswith("-") or (work / t).exists()]
    # pytest's start is most of a mutant's cost: leave out the plugins these tests do not need (loading
    # Hypothesis alone takes about a second)
    uses_hypothesis = any("hypothesis" in (work / t).read_text(encoding="utf-8") for t in tests if not t.startswith("-"))
    plugins = "-p no:xdist" + ("" if uses_hypothesis else " -p no:hypothesispytest")
    runner = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:randomly {plugins} " + " ".join(tests)
    # PYTHONPATH: tests that start the pipeline in a subprocess from another folder (the watcher tests)
    # would otherwise import the checkout's unmutated package through the editable install
    # PLANDOC_TEST_CORPUS: the real corpus beside the checkout, which the scratch copy has not
    env = {**os.environ, "PYTHONPATH": str(work), "PLANDOC_TEST_CORPUS": str(REPO.parent / "shared" / "corpus")}
    scope = ["--use-patch-file", str(_scope_patch(work, module, SCOPES[module]))] if module in SCOPES else []
    command = mutmut + ["run", "--paths-to-mutate", f"pipeline/{module}", "--runner", runner, "--no-progress", "--CI",
                        *scope]
    for attempt in range(MAX_RESTARTS + 1):
        if _run_watched(command, work, env):
            break
        print(f"   mutmut 的工作进程消失、运行卡住，已重启（第 {attempt + 1} 次；已判定的变异保留在缓存中）", flush=True)
        _sync_tree(work)                 # the file mutmut was mutating is left mutated
    killed = _ids(mutmut, work, "killed")
    survivors, eq = [], []
    for status in ("survived", "suspicious", "timeout"):
        for i in _ids(mutmut, work, status):
            diff = subprocess.run(mutmut + ["show", str(i)], cwd=work, capture_output=True, text=True).stdout
            # mutmut's "suspicious" is a mutant the tests KILLED but slowly (longer than the baseline run
            # allows; common on a loaded machine); "timeout" is one that hangs the tests. Both are detected.
            if status in ("timeout", "suspicious"):
                killed.append(i)
                continue
            (eq if _diff_lines(diff) in equivalent else survivors).append((i, diff.strip()))
    judged = len(killed) + len(survivors)
    rate = 100.0 * len(killed) / judged if judged else 100.0
    return {"module": module, "killed": len(killed), "survived": survivors, "equivalent": eq, "rate": rate}


def main(argv: list[str]) -> int:
    if "--status" in argv:
        return status()
    if "--survivors" in argv:
        return max(survivors(m) for m in argv if m != "--survivors")
    if "--fresh" in argv:
        argv = [a for a in argv if a != "--fresh"]
        shutil.rmtree(STATE / "caches", ignore_errors=True)
    chosen = argv or list(MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        print(f"未知模块：{', '.join(unknown)}（可选：{', '.join(MODULES)}）", file=sys.stderr)
        return 2
    equivalent = equivalent_mutants()
    results = []
    for module in chosen:
        # a tree per module: two runs at once must not see each other's mutants
        work = STATE / "trees" / module.replace("/", "-")
        work.mkdir(parents=True, exist_ok=True)
        _sync_tree(work)
        part = f"; only {', '.join(SCOPES[module])}" if module in SCOPES else ""
        print(f"== {module} ({', '.join(MODULES[module])}{part})", flush=True)
        r = run_module(module, MODULES[module], work, equivalent.get(module, []))
        results.append(r)
        print(f"   killed {r['killed']}, survived {len(r['survived'])}, equivalent {len(r['equivalent'])}"
              f" → {r['rate']:.1f} %", flush=True)
        for i, diff in r["survived"]:
            body = "\n".join(ln for ln in diff.splitlines() if re.match(r"^[-+@]", ln))
            print(f"   survivor #{i}:\n" + "\n".join("      " + ln for ln in body.splitlines()), flush=True)
    print("\nmodule                 kill rate   killed  survived  equivalent")
    for r in results:
        flag = "" if r["rate"] >= GOAL else f"   < {GOAL:.0f} %"
        print(f"{r['module']:<22} {r['rate']:7.1f} %  {r['killed']:7d}  {len(r['survived']):8d}  "
              f"{len(r['equivalent']):10d}{flag}")
    return 0 if all(r["rate"] >= GOAL for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

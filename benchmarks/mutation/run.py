"""Mutation testing of the exercises' reference solutions against their own tests.

    python benchmarks/mutation/run.py                      # every exercise
    python benchmarks/mutation/run.py --exercise 1 -e stacking --jobs 1
    python benchmarks/mutation/run.py --list -e 4          # the mutants and their diffs only
    python benchmarks/mutation/run.py --estimate           # reference checks -> projected cost
    python benchmarks/mutation/run.py --report             # reports again, after equivalent.toml

For each exercise: mutmut's operators make the mutants of the code between the solution
markers (``mutants.py``); each mutant is judged twice by the project's runner
(``run_exercise_tests``, the function behind ``lstm-shapes check``: pytest in a child with
the project's plugin), once with the VISIBLE tests of the released learner copy (hidden
tests removed by ``release``) and once with visible + hidden tests (the instructor copy,
as the grader uses). A mutant is killed when the exercise does not get full marks; a run
stopped by the timeout counts as killed (verdict ``timeout``).

Writes, under ``--out`` (default: this folder): ``results/<dir>.json`` (every mutant, its
diff and both verdicts), ``survivors/<dir>.md`` (the survivors' diffs, and whether each is
documented as equivalent in ``equivalent.toml``), ``summary.md`` (the table of every
exercise with results); the table also goes into benchmarks/README.md between its markers.

This process never imports TensorFlow: the children do (fork + exec, never a fork of a
process that imported it).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
import mutants as _mutants  # noqa: E402 - beside this script

README = HERE.parent / "README.md"
TABLE_BEGIN = "<!-- mutation-table:begin (written by benchmarks/mutation/run.py) -->"
TABLE_END = "<!-- mutation-table:end -->"
FORMAT = 1


# ---------------------------------------------------------------- the two suites


def suite_files(manifest: Any, exercise: Any, released: Path) -> dict[str, dict[str, str]]:
    """The files of each suite except the learner file: ``{"visible": {...}, "full": {...}}``.

    visible: what ``release`` wrote (info.toml, conftest.py, the test file without its
    hidden tests). full: the instructor's info.toml, conftest.py and test file.
    """
    test = f"{exercise.dir}/{exercise.test_file.name}"
    suites: dict[str, dict[str, str]] = {"visible": {}, "full": {}}
    for suite, root in (("visible", released), ("full", manifest.root)):
        for relative in ("info.toml", "conftest.py", test):
            if (root / relative).is_file():
                suites[suite][relative] = (root / relative).read_text(encoding="utf-8")
    return suites


def judge(exercise: Any, files: dict[str, str], learner_text: str, *, timeout: float,
          seed: int = 0) -> dict[str, Any]:
    """One check of ``learner_text`` in a fresh folder holding ``files``, as ``lstm-shapes
    check`` runs it; the verdict and what failed."""
    from lstm_shapes.exercises.results import first_reason
    from lstm_shapes.exercises.runner import run_exercise_tests

    with tempfile.TemporaryDirectory(prefix=f"lstm-mutant-{exercise.name}-") as tmp:
        root = Path(tmp)
        for relative, text in {**files,
                               f"{exercise.dir}/{exercise.learner_file.name}": learner_text
                               }.items():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text(text, encoding="utf-8")
        result = run_exercise_tests(root / exercise.dir / exercise.test_file.name,
                                    exercise=exercise.name, rootdir=root, timeout=timeout,
                                    seed=seed)
    failed = result.failed_tests
    verdict = "timeout" if result.timed_out else "survived" if result.passed else "killed"
    entry: dict[str, Any] = {
        "verdict": verdict, "score": result.score, "max_score": result.max_score,
        "failed": [t.name for t in failed],
        "codes": sorted({c for t in failed for c in t.codes}),
        "seconds": round(result.seconds, 2)}
    if verdict == "killed" and not failed:  # nothing graded: an import or collection error
        entry["reason"] = first_reason(result.output)[:200]
    return entry


def killed(entry: dict[str, Any]) -> bool:
    return entry["verdict"] != "survived"


# ---------------------------------------------------------------- one exercise


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def inputs_of(exercise: Any) -> dict[str, str]:
    """What the verdicts depend on; a results file with other inputs is stale."""
    return {"learner_sha256": sha256(exercise.learner_file.read_text(encoding="utf-8")),
            "tests_sha256": sha256(exercise.test_file.read_text(encoding="utf-8")),
            "mutmut": importlib.metadata.version("mutmut"),
            "libcst": importlib.metadata.version("libcst")}


def run_exercise(manifest: Any, exercise: Any, released: Path, args: argparse.Namespace,
                 equivalent: dict[tuple[str, str], str]) -> dict[str, Any]:
    """Judge every mutant of one exercise; write its results and survivors files."""
    files = suite_files(manifest, exercise, released)
    reference = exercise.learner_file.read_text(encoding="utf-8")
    mutants = _mutants.generate(exercise.learner_file, name=exercise.learner_file.name)
    inputs = inputs_of(exercise)
    settings = {"seed": args.seed, "timeout_factor": args.timeout_factor,
                "min_timeout": args.min_timeout, "both": args.both}
    out = args.out / "results" / f"{exercise.dir}.json"
    previous = _reusable(out, inputs, settings) if args.resume else {}
    say(f"{exercise.number:02d} {exercise.name}: {len(mutants)} mutants"
        + (f" ({len(previous)} reused)" if previous else ""))
    start = time.perf_counter()
    baseline = {suite: judge(exercise, files[suite], reference, timeout=args.baseline_timeout,
                             seed=args.seed) for suite in ("visible", "full")}
    data: dict[str, Any] = {
        "format": FORMAT, "exercise": exercise.name, "number": exercise.number,
        "dir": exercise.dir, "inputs": inputs, "settings": settings,
        "machine": machine(), "baseline": baseline, "mutants": []}
    for suite, entry in baseline.items():
        say(f"   reference, {suite} tests: "
            f"{'full marks' if not killed(entry) else entry['verdict']} "
            f"({entry['score']}/{entry['max_score']}, {entry['seconds']:.1f} s)")
    if any(killed(e) for e in baseline.values()):
        data["error"] = "the reference solution does not get full marks: no mutant judged"
        say(f"   {data['error']}")
        write_json(out, data)
        return data
    scale = max(args.jobs, 1)  # parallel children share the cores
    timeouts = {suite: round(max(args.min_timeout, args.timeout_factor
                                 * baseline[suite]["seconds"]) * scale, 1)
                for suite in baseline}
    data["timeouts"] = timeouts
    data["unmutated_lines"] = [{"line": n, "code": code} for n, code
                               in _mutants.unmutated_lines(reference, mutants)]

    def one(mutant: _mutants.Mutant) -> dict[str, Any]:
        if mutant.id in previous:
            return previous[mutant.id]
        entry = {"id": mutant.id, "number": mutant.number, "function": mutant.function,
                 "line": mutant.line, "operator": mutant.operator, "diff": mutant.diff}
        for suite in ("visible", "full"):
            if suite == "full" and killed(entry["visible"]) and not args.both:
                # the instructor's file holds the same visible tests, run with the same seed
                entry["full"] = {**entry["visible"], "seconds": 0.0, "from": "visible"}
                continue
            entry[suite] = judge(exercise, files[suite], mutant.text,
                                 timeout=timeouts[suite], seed=args.seed)
        return entry

    results: dict[str, dict[str, Any]] = {}
    total = len(mutants)

    def done(entry: dict[str, Any]) -> None:
        results[entry["id"]] = entry
        v, f = entry["visible"], entry["full"]
        say(f"   [{len(results)}/{total}] #{entry['number']} {entry['id']} {_short(entry)}: "
            f"visible {v['verdict']} ({v['seconds']:.1f} s), "
            + ("+hidden: not re-run" if f.get("from") else
               f"+hidden {f['verdict']} ({f['seconds']:.1f} s)"))
        data["mutants"] = [results[m.id] for m in mutants if m.id in results]
        write_json(out, data)  # after every mutant: an interrupted run can --resume

    if args.jobs <= 1:
        for mutant in mutants:
            done(one(mutant))
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for future in concurrent.futures.as_completed(
                    [pool.submit(one, m) for m in mutants]):
                done(future.result())
    data["mutants"] = [results[m.id] for m in mutants]
    data["seconds"] = round(time.perf_counter() - start, 1)
    data["summary"] = summarize(data, equivalent)
    write_json(out, data)
    write_survivors(args.out / "survivors" / f"{exercise.dir}.md", data, equivalent)
    s = data["summary"]
    say(f"   killed: visible {s['killed_visible']}/{s['total']}, visible + hidden "
        f"{s['killed_full']}/{s['total']}; {data['seconds']:.0f} s "
        f"({s['seconds_per_mutant']:.1f} s per mutant)")
    return data


def _short(entry: dict[str, Any]) -> str:
    """The mutated line, shortened for the progress line."""
    after = [ln[1:].strip() for ln in entry["diff"].splitlines()
             if ln.startswith("+") and not ln.startswith("+++")]
    text = " ".join(after) or "(line removed)"
    return text if len(text) <= 60 else text[:57] + "..."


def _reusable(path: Path, inputs: dict[str, str], settings: dict[str, Any]
              ) -> dict[str, dict[str, Any]]:
    try:
        old = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if old.get("inputs") != inputs or old.get("settings") != settings or "error" in old:
        return {}
    return {m["id"]: m for m in old.get("mutants", [])}


def summarize(data: dict[str, Any], equivalent: dict[tuple[str, str], str]) -> dict[str, Any]:
    ms = data["mutants"]
    survivors = [m["id"] for m in ms if not killed(m["full"])]
    hidden_only = [m["id"] for m in ms if not killed(m["visible"]) and killed(m["full"])]
    runs = [m[s]["seconds"] for m in ms for s in ("visible", "full")]
    return {
        "total": len(ms),
        "killed_visible": sum(killed(m["visible"]) for m in ms),
        "killed_full": sum(killed(m["full"]) for m in ms),
        "timeouts_visible": sum(m["visible"]["verdict"] == "timeout" for m in ms),
        "timeouts_full": sum(m["full"]["verdict"] == "timeout" for m in ms),
        "survivors": survivors,
        "killed_only_by_hidden": hidden_only,
        "equivalent": [i for i in survivors + hidden_only
                       if (data["exercise"], i) in equivalent],
        "seconds_per_mutant": round(sum(runs) / len(ms), 2) if ms else 0.0,
    }


# ---------------------------------------------------------------- reports


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)


def write_survivors(path: Path, data: dict[str, Any],
                    equivalent: dict[tuple[str, str], str]) -> None:
    s = data["summary"]
    by_id = {m["id"]: m for m in data["mutants"]}
    lines = [f"# Surviving mutants of exercise {data['number']} ({data['exercise']})", "",
             "Written by `python benchmarks/mutation/run.py --exercise "
             f"{data['exercise']}`; do not edit (document equivalent mutants in "
             "`benchmarks/mutation/equivalent.toml`).", "",
             f"{s['total']} mutants: the visible tests kill {s['killed_visible']}, visible + "
             f"hidden {s['killed_full']}.", ""]

    def section(title: str, ids: list[str], empty: str) -> None:
        lines.extend([f"## {title}", ""])
        if not ids:
            lines.extend([empty, ""])
        for i in ids:
            m = by_id[i]
            reason = equivalent.get((data["exercise"], i))
            status = (f"**equivalent**: {reason}" if reason else
                      "**open**: kill it with a test, or document it as equivalent")
            lines.extend([f"### `{i}` -- #{m['number']}, {m['function']}() line {m['line']}"
                          f" ({m['operator']})", "", status, "", "```diff",
                          *m["diff"].rstrip("\n").splitlines(), "```", ""])

    section("Survive every test (visible + hidden)", s["survivors"], "None.")
    section("Survive the visible tests (only hidden tests kill them)",
            s["killed_only_by_hidden"], "None.")
    unmutated = data.get("unmutated_lines", [])
    lines.extend(["## Solution lines no mutant changes", "",
                  "mutmut has no operator for these (it does not mutate subscripts or "
                  "slices, nor decorated functions); their requirements are not "
                  "probed by this run.", ""])
    lines.extend([f"- line {u['line']}: `{u['code']}`" for u in unmutated] or ["None."])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip("\n") + "\n")


def table(out: Path, manifest: Any) -> str:
    """The Markdown table of every exercise with a results file (stale ones marked)."""
    rows = ["| exercise | mutants | killed, visible tests | killed, visible + hidden | "
            "timeouts (v / v+h) | survivors (equivalent) | s per mutant |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for exercise in manifest.exercises:
        path = out / "results" / f"{exercise.dir}.json"
        if not path.is_file():
            continue
        data = json.loads(path.read_text())
        name = f"{exercise.number} {exercise.name}"
        if data.get("inputs") != inputs_of(exercise):
            name += " (stale: files changed since)"
        if "error" in data or "summary" not in data:
            rows.append(f"| {name} | -- | {data.get('error', 'incomplete run')} | | | | |")
            continue
        s = data["summary"]
        n = s["total"] or 1
        rows.append(
            f"| {name} | {s['total']} | {s['killed_visible']}/{s['total']} "
            f"({100 * s['killed_visible'] / n:.0f} %) | {s['killed_full']}/{s['total']} "
            f"({100 * s['killed_full'] / n:.0f} %) | {s['timeouts_visible']} / "
            f"{s['timeouts_full']} | {len(s['survivors'])} + {len(s['killed_only_by_hidden'])}"
            f" ({len(s['equivalent'])}) | {s['seconds_per_mutant']:.1f} |")
    return "\n".join(rows) + "\n"


def write_table(out: Path, manifest: Any) -> str:
    text = table(out, manifest)
    (out / "summary.md").write_text(
        "# Mutation scores (written by benchmarks/mutation/run.py)\n\n" + text
        + "\nSurvivors: survive every test + survive only the visible tests; in brackets, "
          "those documented as equivalent.\n")
    if out.resolve() == HERE and README.is_file():
        readme = README.read_text()
        if TABLE_BEGIN in readme and TABLE_END in readme:
            head, rest = readme.split(TABLE_BEGIN, 1)
            _, tail = rest.split(TABLE_END, 1)
            README.write_text(f"{head}{TABLE_BEGIN}\n{text}{TABLE_END}{tail}")
    return text


def load_equivalent(path: Path) -> dict[tuple[str, str], str]:
    """``equivalent.toml``: ``[[equivalent]]`` entries with ``exercise``, ``id``, ``reason``."""
    if not path.is_file():
        return {}
    entries = tomllib.loads(path.read_text()).get("equivalent", [])
    return {(e["exercise"], e["id"]): e["reason"] for e in entries}


def machine() -> dict[str, Any]:
    try:
        load = round(os.getloadavg()[0], 1)
    except OSError:
        load = None
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "load": load,
            "date": time.strftime("%Y-%m-%d"), "commit": _git_head()}


def _git_head() -> str | None:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-e", "--exercise", action="append", default=[],
                        help="number, name or folder (repeatable); default: every exercise")
    parser.add_argument("--jobs", "-j", type=int, default=1,
                        help="mutants judged at once (each run is one child; default 1)")
    parser.add_argument("--dir", type=Path, default=REPO / "exercises",
                        help="the instructor copy (default: the checkout's exercises/)")
    parser.add_argument("--out", type=Path, default=HERE,
                        help="where results/, survivors/ and summary.md go (default: here)")
    parser.add_argument("--timeout-factor", type=float, default=5.0,
                        help="a mutant's run is stopped after this many times the "
                             "reference run of the same suite (default 5)")
    parser.add_argument("--min-timeout", type=float, default=30.0,
                        help="... but never before this many seconds (default 30)")
    parser.add_argument("--baseline-timeout", type=float, default=300.0,
                        help="timeout of the reference runs (default 300 s)")
    parser.add_argument("--equivalent", type=Path, default=HERE / "equivalent.toml",
                        help="the documented equivalent mutants (default: beside this file)")
    parser.add_argument("--both", action="store_true",
                        help="run the visible + hidden tests on mutants the visible tests "
                             "already kill too (default: counted killed, not re-run)")
    parser.add_argument("--seed", type=int, default=0, help="--lstm-seed (default 0)")
    parser.add_argument("--resume", action="store_true",
                        help="reuse verdicts of a results file with the same inputs")
    parser.add_argument("--list", action="store_true",
                        help="print the mutants and their diffs, judge nothing")
    parser.add_argument("--report", action="store_true",
                        help="only rewrite survivors/, summary.md and the README table from "
                             "the results files (after editing equivalent.toml)")
    parser.add_argument("--estimate", action="store_true",
                        help="run only the reference checks; print the projected cost")
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from lstm_shapes.exercises import load_manifest, release

    manifest = load_manifest(args.dir)
    chosen = ([manifest.get(int(e) if e.isdigit() else _by_dir(manifest, e))
               for e in args.exercise] if args.exercise else list(manifest.exercises))
    if args.list:
        for exercise in chosen:
            found = _mutants.generate(exercise.learner_file)
            say(f"{exercise.number:02d} {exercise.name}: {len(found)} mutants")
            for m in found:
                say(f"#{m.number} {m.id} {m.function}() line {m.line} {m.operator}\n{m.diff}")
        return 0
    equivalent = load_equivalent(args.equivalent)
    if args.report:
        for exercise in chosen:
            path = args.out / "results" / f"{exercise.dir}.json"
            if path.is_file() and "summary" in (data := json.loads(path.read_text())):
                data["summary"] = summarize(data, equivalent)
                write_json(path, data)
                write_survivors(args.out / "survivors" / f"{exercise.dir}.md", data,
                                equivalent)
        say(write_table(args.out, manifest))
        return 0
    failed = False
    with tempfile.TemporaryDirectory(prefix="lstm-mutation-release-") as tmp:
        released = Path(tmp) / "learner"
        release(manifest.root, released)
        if args.estimate:
            return estimate(manifest, chosen, released, args)
        start = time.perf_counter()
        for exercise in chosen:
            data = run_exercise(manifest, exercise, released, args, equivalent)
            failed |= "error" in data
    say(f"done in {time.perf_counter() - start:.0f} s")
    say(write_table(args.out, manifest))
    return 1 if failed else 0


def _by_dir(manifest: Any, ref: str) -> str:
    for exercise in manifest.exercises:
        if ref in (exercise.dir, exercise.name):
            return exercise.name
    return ref  # manifest.get names the problem


def estimate(manifest: Any, chosen: list[Any], released: Path,
             args: argparse.Namespace) -> int:
    """Time the reference checks; a mutant costs about one of each (every probe runs,
    killed or not: measured 0.85-1.4x on exercises 1, 2 and 4)."""
    total = 0.0
    for exercise in chosen:
        files = suite_files(manifest, exercise, released)
        reference = exercise.learner_file.read_text(encoding="utf-8")
        n = len(_mutants.generate(exercise.learner_file))
        runs = {s: judge(exercise, files[s], reference, timeout=args.baseline_timeout,
                         seed=args.seed) for s in ("visible", "full")}
        per = sum(r["seconds"] for r in runs.values())
        total += n * per
        say(f"{exercise.number:02d} {exercise.name}: {n} mutants x {per:.1f} s "
            f"(visible {runs['visible']['seconds']:.1f} + full {runs['full']['seconds']:.1f})"
            f" = {n * per / 60:.1f} min")
    say(f"projected: about {total / 60:.0f} min with --jobs 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())

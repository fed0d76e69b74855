"""Today's diagnosis measured on real mistakes from public reports (issue 13, item 7).

    python benchmarks/bench_real_mistakes.py                 # every case and correct model
    python benchmarks/bench_real_mistakes.py --family masking --json /tmp/masking.json

For each case of tests/corpus/real_mistakes (rebuilt from GitHub issues and Q&A threads),
the diagnosis is used as a user would:

* ``check_model(model, x, y)`` on the broken model and its data (``batch_size=`` too when
  the case fits with one); a model that Keras refuses to build cannot be given to it;
* the build and a one-epoch fit inside ``with diagnosing():`` (every case: the RNN contract
  checks can stop a silent mistake as well); a ShapeError with ``.code`` is a translation.

Counted per family and overall: detected (an error-severity finding, or a ShapeError under
diagnosing()), named (one of them carries the case's code or an accepted one), fix (the
naming finding or error has a fix line), crashed (an exception raised inside lstm_shapes
that is not a ShapeError), and the time per case. For the correct models: false alarms (an
error finding, or a ShapeError from fitting under diagnosing()), and alarms on the fixed
versions (an error finding of check_model on the fix of each case, the nearest correct
neighbour of the mistake). The time per case is that of check_model plus diagnosing() on the
broken version. A table goes to the terminal, every case's details to
benchmarks/real_mistakes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the corpus package lives with the tests

import keras  # noqa: E402
from _timing import machine  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import lstm_shapes  # noqa: E402
from corpus.real_mistakes import FAMILIES, all_cases, all_correct  # noqa: E402
from lstm_shapes import ShapeError, check_model, diagnosing  # noqa: E402

PACKAGE = str(Path(lstm_shapes.__file__).resolve().parent)


def _inside_tool(err: BaseException) -> bool:
    """Whether the innermost frame of ``err`` is lstm_shapes code (a crash of the tool)."""
    frames = traceback.extract_tb(err.__traceback__)
    return bool(frames) and str(Path(frames[-1].filename).resolve()).startswith(PACKAGE)


def _describe(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:200] if text else ''}"


def _check(build) -> dict[str, Any]:
    """check_model on the broken (or correct) build, as a user would call it."""
    out: dict[str, Any] = {"ran": False}
    try:
        model, x, y, fit_kwargs = build()
    except Exception as err:  # noqa: BLE001 - Keras refused to build: nothing to check
        out["not_taken"] = f"the model does not build: {_describe(err)}"
        return out
    start = time.perf_counter()
    try:
        report = check_model(model, x, y, batch_size=fit_kwargs.get("batch_size"))
    except Exception as err:  # noqa: BLE001 - recorded, not fatal
        out.update(ms=(time.perf_counter() - start) * 1e3, raised=_describe(err),
                   crashed=_inside_tool(err) and not isinstance(err, ShapeError))
        return out
    out.update(ran=True, ms=(time.perf_counter() - start) * 1e3,
               errors=[{"code": f.code, "where": f.where, "fix": f.fix} for f in report.errors],
               warnings=[{"code": f.code, "fix": f.fix} for f in report.warnings],
               note=report.note or (report.story.note if report.story else ""))
    return out


def _diagnose(build) -> dict[str, Any]:
    """Build and fit one epoch inside diagnosing(): a ShapeError is a translation."""
    out: dict[str, Any] = {}
    start = time.perf_counter()
    try:
        with diagnosing():
            model, x, y, fit_kwargs = build()
            model.fit(x, y, epochs=1, verbose=0, **fit_kwargs)
    except ShapeError as err:
        out.update(shape_error={"code": err.code, "fix": err.fix, "where": err.where})
    except Exception as err:  # noqa: BLE001 - an untranslated Keras error, or a crash
        out.update(raised=_describe(err), crashed=_inside_tool(err))
    out["s"] = time.perf_counter() - start
    return out


def _judge(case, checked: dict, diagnosed: dict) -> dict[str, Any]:
    right = {case.code, *case.accept}
    outputs = [*checked.get("errors", [])]
    if "shape_error" in diagnosed:
        outputs.append(diagnosed["shape_error"])
    naming = [o for o in outputs if o["code"] in right]
    return {
        "detected": bool(outputs),
        "named": bool(naming),
        "fix": any(o.get("fix") for o in naming),
        "via_check_model": bool(checked.get("errors")),
        "via_diagnosing": "shape_error" in diagnosed,
        "warned_right_code": any(w["code"] in right for w in checked.get("warnings", [])),
        "crashed": bool(checked.get("crashed") or diagnosed.get("crashed")),
        "codes_given": sorted({o["code"] for o in outputs}),
    }


def _fresh() -> None:
    """A clean Keras session for the next case, with whole tracebacks.

    Keras trims its own frames from tracebacks; without them a Keras error raised through an
    instrumented call would look as if it came from lstm_shapes. clear_session() turns the
    trimming back on, so it is switched off after it.
    """
    keras.utils.clear_session()
    keras.config.disable_traceback_filtering()
    keras.utils.set_random_seed(0)


def run(families: set[str]) -> dict[str, Any]:
    warnings.filterwarnings("ignore")
    cases = [c for c in all_cases() if c.family in families]
    correct = [m for m in all_correct() if m.family in families]
    results, models = [], []
    for case in cases:
        _fresh()
        start = time.perf_counter()
        checked = _check(case.broken)
        diagnosed = _diagnose(case.broken)
        verdict = _judge(case, checked, diagnosed)
        seconds = time.perf_counter() - start
        fixed = _check(case.fixed)  # the nearest correct neighbour: any error is an alarm
        results.append({"name": case.name, "family": case.family, "code": case.code,
                        "accept": list(case.accept), "loud": case.loud, "source": case.source,
                        "check_model": checked, "diagnosing": diagnosed, **verdict,
                        "fixed_check_model": fixed,
                        "alarm_on_fixed": bool(fixed.get("errors") or fixed.get("raised")),
                        "seconds": seconds})
        mark = "named" if verdict["named"] else "detected" if verdict["detected"] else "missed"
        print(f"{case.family:13s} {case.name:52s} {mark:8s} {verdict['codes_given']}",
              flush=True)
    for model in correct:
        _fresh()
        checked = _check(model.build)
        diagnosed = _diagnose(model.build)
        alarms = [e["code"] for e in checked.get("errors", [])]
        if "shape_error" in diagnosed:
            alarms.append(diagnosed["shape_error"]["code"])
        models.append({"name": model.name, "family": model.family, "source": model.source,
                       "check_model": checked, "diagnosing": diagnosed,
                       "false_alarm": bool(alarms), "alarm_codes": alarms,
                       "crashed": bool(checked.get("crashed") or diagnosed.get("crashed"))})
        print(f"{model.family:13s} correct: {model.name:43s} "
              f"{'FALSE ALARM ' + str(alarms) if alarms else 'clear'}", flush=True)
    return {"machine": machine(), "keras": keras.__version__, "cases": results,
            "correct": models, "summary": _summary(results, models)}


def _summary(results: list[dict], models: list[dict]) -> dict[str, dict]:
    rows: dict[str, dict] = defaultdict(lambda: defaultdict(float))
    for r in results:
        for key in (r["family"], "overall"):
            row = rows[key]
            row["cases"] += 1
            row["loud"] += r["loud"]
            for flag in ("detected", "named", "fix", "via_check_model", "via_diagnosing",
                         "warned_right_code", "crashed"):
                row[flag] += r[flag]
            row["check_model_not_taken"] += "not_taken" in r["check_model"]
            row["alarms_on_fixed"] += r["alarm_on_fixed"]
            row["check_model_ms"] += r["check_model"].get("ms", 0.0)
            row["seconds"] += r["seconds"]
    for m in models:
        for key in (m["family"], "overall"):
            row = rows[key]
            row["correct"] += 1
            row["false_alarms"] += m["false_alarm"]
            row["crashed_on_correct"] += m["crashed"]
    return {k: {f: (round(v, 3) if isinstance(v, float) and not v.is_integer() else int(v))
                for f, v in row.items()} for k, row in rows.items()}


def _table(summary: dict[str, dict]) -> Table:
    table = Table(title=f"today's diagnosis on real mistakes ({machine()})")
    for column in ("family", "cases", "loud", "detected", "named", "fix", "via check_model",
                   "via diagnosing()", "crashed", "correct", "false alarms",
                   "alarms on fixed", "s/case"):
        table.add_column(column, justify="left" if column == "family" else "right")
    for family in [*FAMILIES, "overall"]:
        row = summary.get(family)
        if not row:
            continue
        n = row.get("cases", 0)
        table.add_row(family, str(n), str(row.get("loud", 0)), str(row.get("detected", 0)),
                      str(row.get("named", 0)), str(row.get("fix", 0)),
                      str(row.get("via_check_model", 0)), str(row.get("via_diagnosing", 0)),
                      str(row.get("crashed", 0) + row.get("crashed_on_correct", 0)),
                      str(row.get("correct", 0)), str(row.get("false_alarms", 0)),
                      str(row.get("alarms_on_fixed", 0)),
                      f"{row.get('seconds', 0) / n:.1f}" if n else "-",
                      end_section=family == FAMILIES[-1])
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="append", choices=FAMILIES,
                        help="only these families (repeatable); default: all")
    parser.add_argument("--json", type=Path, default=HERE / "real_mistakes.json")
    args = parser.parse_args()
    result = run(set(args.family or FAMILIES))
    Console(width=150).print(_table(result["summary"]))
    overall = result["summary"].get("overall", {})
    if overall.get("cases"):
        print(f"check_model: {overall['check_model_ms'] / overall['cases']:.0f} ms per case on "
              f"average; it could not take {overall.get('check_model_not_taken', 0)} models "
              "(Keras refuses to build them)")
    args.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(f"details: {args.json}")


if __name__ == "__main__":
    main()

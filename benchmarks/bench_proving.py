"""What proving fixes costs inside check_model, on every real-mistake case and its fix.

    python benchmarks/bench_proving.py                  # all cases of tests/corpus/real_mistakes
    python benchmarks/bench_proving.py --family masking

A fix is printed only after it was applied to a rebuilt clone, checked again and trained one
step (diagnosis/proving.py, mask_fixes.py). This times every ``prove`` call of the
diagnosis (each module's ``prove`` is wrapped for the run) while ``check_model`` runs on each
broken model and on its fixed version, and prints: proofs per check, milliseconds in proofs,
and check_model's own time without them (median, 90th percentile, max).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import pkgutil
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _timing import machine  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import lstm_shapes.diagnosis  # noqa: E402
from corpus.real_mistakes import all_cases  # noqa: E402
from lstm_shapes import check_model  # noqa: E402

_SPENT: list[float] = []  # seconds of each proof during the current check


def _timed(prove):
    @functools.wraps(prove)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return prove(*args, **kwargs)
        finally:
            _SPENT.append(time.perf_counter() - start)
    return wrapper


def _wrap_every_prove() -> int:
    """Wrap ``prove`` in each diagnosis module (where it is defined or imported)."""
    wrapped = {}
    for info in pkgutil.iter_modules(lstm_shapes.diagnosis.__path__):
        module = importlib.import_module(f"lstm_shapes.diagnosis.{info.name}")
        prove = getattr(module, "prove", None)
        if callable(prove):
            wrapped.setdefault(prove, _timed(prove))
            module.prove = wrapped[prove]
    return len(wrapped)


def _quantiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"{statistics.median(ordered):.0f} / {p90:.0f} / {ordered[-1]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="append", help="only these families")
    args = parser.parse_args()
    kinds = _wrap_every_prove()
    rows: dict[str, list[tuple[float, float, int]]] = {"broken": [], "fixed": []}
    for case in all_cases():
        if args.family and case.family not in args.family:
            continue
        for version, build in (("broken", case.broken), ("fixed", case.fixed)):
            try:
                model, x, y, fit_kwargs = build()
            except Exception:  # noqa: BLE001 - Keras refuses to build it: nothing to check
                continue
            _SPENT.clear()
            start = time.perf_counter()
            try:
                check_model(model, x, y, batch_size=fit_kwargs.get("batch_size"))
            except Exception:  # noqa: BLE001, S112 - a raise is the real-mistake bench's matter
                continue
            total = time.perf_counter() - start
            rows[version].append((total - sum(_SPENT), sum(_SPENT), len(_SPENT)))
    table = Table(title=f"check_model and its proofs, ms: median / p90 / max ({machine()}; "
                        f"{kinds} prove functions)")
    for column in ("models", "checks", "checks with proofs", "proofs per check",
                   "ms without proofs", "ms in proofs"):
        table.add_column(column, justify="right")
    for version, checks in rows.items():
        proved = [c for c in checks if c[2]]
        table.add_row(version, str(len(checks)), str(len(proved)),
                      _quantiles([c[2] for c in proved]),
                      _quantiles([c[0] * 1e3 for c in checks]),
                      _quantiles([c[1] * 1e3 for c in proved]))
    Console().print(table)


if __name__ == "__main__":
    main()

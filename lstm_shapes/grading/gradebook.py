"""The gradebook: an append-only journal while grading, then CSV and JSON written atomically.

Each finished submission is one JSON line in ``journal.jsonl``, flushed and fsynced, so an
interrupted run loses at most the submissions in flight; a torn last line is ignored. The
CSV (one row per learner and exercise, plus a TOTAL row) and the JSON are rebuilt from the
journal and replace the old files in one ``os.replace``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from pathlib import Path
from typing import Any

from lstm_shapes.display.files import atomic_write_text
from lstm_shapes.grading.grade import SubmissionGrade

JOURNAL = "journal.jsonl"
CSV_FIELDS = ("learner", "exercise", "score", "max_score", "status", "reason", "codes")


class Journal:
    """``journal.jsonl`` in ``out``: a header (seed, exercises) then one line per learner."""

    def __init__(self, out: Path) -> None:
        self.path = out / JOURNAL
        self._lock = threading.Lock()

    def read(self) -> tuple[dict[str, Any] | None, dict[str, SubmissionGrade]]:
        """``(header, grades by learner)``; a torn or foreign line is skipped."""
        header, grades = None, {}
        if not self.path.exists():
            return header, grades
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if "header" in record:
                header = record["header"]
            elif "learner" in record:
                grades[record["learner"]] = SubmissionGrade.from_dict(record)
        return header, grades

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True) + "\n"
        with self._lock:
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
                f.flush()
                os.fsync(f.fileno())


def write_gradebook(out: Path, grades: dict[str, SubmissionGrade],
                    header: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``gradebook.csv`` and ``gradebook.json`` (learners sorted by id)."""
    ordered = [grades[k] for k in sorted(grades)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for g in ordered:
        for e in g.exercises:
            writer.writerow({"learner": g.learner, "exercise": e.exercise, "score": e.score,
                             "max_score": e.max_score, "status": e.status,
                             "reason": e.reason, "codes": " ".join(e.codes)})
        writer.writerow({"learner": g.learner, "exercise": "TOTAL", "score": g.total,
                         "max_score": g.max_total, "status": "error" if g.error else "",
                         "reason": g.error, "codes": ""})
    csv_path, json_path = out / "gradebook.csv", out / "gradebook.json"
    atomic_write_text(csv_path, buffer.getvalue())
    atomic_write_text(json_path, json.dumps({**header, "learners": [g.to_dict() for g in ordered]},
                                        indent=2))
    return csv_path, json_path


def load_gradebook(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A ``gradebook.json`` (or the folder holding it), validated enough to report on."""
    path = Path(path)
    if path.is_dir():
        path = path / "gradebook.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a gradebook ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("learners"), list):
        raise ValueError(f"{path}: not a gradebook (no 'learners' list)")
    return data

"""The gradebook: an append-only journal while grading, then CSV and JSON written atomically.

Each finished submission is one JSON line in ``journal.jsonl``, flushed and fsynced, so an
interrupted run loses at most the submissions in flight; a torn last line is ignored. The
CSV (one row per learner and exercise, plus a TOTAL row) and the JSON are rebuilt from the
journal and replace the old files in one ``os.replace``.

Warnings (two rows that look like one learner, entries of a submission that were not read,
files at the top of the class folder that are no submission) go to ``warnings`` in the JSON,
per learner and for the class, and into the reason of the learner's TOTAL row in the CSV
(status ``warning``, unless the row is an ``error``).
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

    def _records(self) -> list[dict[str, Any]]:
        """Every whole JSON object line; a torn or foreign line is skipped."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def read(self) -> tuple[dict[str, Any] | None, dict[str, SubmissionGrade]]:
        """``(header, grades by learner)``."""
        header, grades = None, {}
        for record in self._records():
            if "header" in record:
                header = record["header"]
            elif "learner" in record:
                try:
                    grades[record["learner"]] = SubmissionGrade.from_dict(record)
                except (KeyError, TypeError, ValueError):
                    continue  # not one of ours
        return header, grades

    def notes(self) -> dict[str, list[str]]:
        """The warnings journaled with each learner (``"warnings"`` beside its grade)."""
        found = {r["learner"]: list(r.get("warnings") or []) for r in self._records()
                 if "learner" in r and "header" not in r}
        return {learner: notes for learner, notes in found.items() if notes}

    def digests(self) -> dict[str, str]:
        """The digest of the learner files each journaled grade was computed from."""
        return {r["learner"]: r["digest"] for r in self._records()
                if "learner" in r and isinstance(r.get("digest"), str)}

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())


def _total_row(grade: SubmissionGrade, notes: list[str]) -> dict[str, Any]:
    status = "error" if grade.error else "warning" if notes else ""
    return {"learner": grade.learner, "exercise": "TOTAL", "score": grade.total,
            "max_score": grade.max_total, "status": status,
            "reason": "; ".join([grade.error] * bool(grade.error) + notes), "codes": ""}


def write_gradebook(out: Path, grades: dict[str, SubmissionGrade], header: dict[str, Any],
                    *, notes: dict[str, list[str]] | None = None,
                    warnings: list[str] | tuple = ()) -> tuple[Path, Path]:
    """Write ``gradebook.csv`` and ``gradebook.json`` (learners sorted by id).

    ``notes``: learner id -> its warnings; ``warnings``: the class's, in the JSON.

    >>> import tempfile; from lstm_shapes.grading.grade import ExerciseGrade
    >>> out = Path(tempfile.mkdtemp())
    >>> erin = SubmissionGrade("erin", [ExerciseGrade("a", 1.0, 1.0, "passed")])
    >>> _ = write_gradebook(out, {"erin": erin}, {"seed": 1}, notes={"erin": ["like erin.zip"]})
    >>> (out / "gradebook.csv").read_text().splitlines()[-1]
    'erin,TOTAL,1.0,1.0,warning,like erin.zip,'
    """
    notes = notes or {}
    ordered = [grades[k] for k in sorted(grades)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for g in ordered:
        for e in g.exercises:
            writer.writerow({"learner": g.learner, "exercise": e.exercise, "score": e.score,
                             "max_score": e.max_score, "status": e.status,
                             "reason": e.reason, "codes": " ".join(e.codes)})
        writer.writerow(_total_row(g, notes.get(g.learner, [])))
    learners = [{**g.to_dict(), "warnings": notes.get(g.learner, [])} for g in ordered]
    csv_path, json_path = out / "gradebook.csv", out / "gradebook.json"
    atomic_write_text(csv_path, buffer.getvalue())
    atomic_write_text(json_path, json.dumps({**header, "warnings": list(warnings),
                                             "learners": learners}, indent=2))
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

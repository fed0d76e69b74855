"""lstm-shapes report: per exercise, who passed and which misconceptions the failures carry."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

import pytest
from corpus.submissions import COUNT_OK, DOUBLE_OK, make_class

from lstm_shapes.cli import main
from lstm_shapes.core.codes import MISCONCEPTIONS
from lstm_shapes.grading import grade_all, load_gradebook
from lstm_shapes.grading.class_report import html_page, summarize, table_text

SHAPE_MISTAKE = ("from lstm_shapes import expect\n"
                 "def double(x):\n"
                 "    expect(x, 'batch timesteps features', name='x')  # x is 2-D\n"
                 "    return x * 2.0\n")


def _row(exercise: str, score: float, max_score: float, codes: list[str]) -> dict:
    status = "passed" if score >= max_score else "partial" if score else "failed"
    return {"exercise": exercise, "score": score, "max_score": max_score, "status": status,
            "reason": "", "codes": codes}


def _gradebook() -> dict:
    """Four learners: windows is mostly passed, stacking mostly forgets return_sequences."""
    rows = [
        ("ann", [_row("windows", 10, 10, []), _row("stacking", 10, 10, [])]),
        ("bob", [_row("windows", 10, 10, []),
                 _row("stacking", 0, 10, ["missing_return_sequences"])]),
        ("cem", [_row("windows", 4, 10, ["missing_timestep_axis", "swapped_axes"]),
                 _row("stacking", 5, 10, ["missing_return_sequences"])]),
        ("dee", [_row("windows", 0, 10, ["missing_timestep_axis"]),
                 _row("stacking", 0, 10, ["missing_return_sequences",
                                          "missing_return_sequences"])]),
    ]
    return {"seed": 1, "exercises": ["windows", "stacking"],
            "learners": [{"learner": name, "exercises": ex} for name, ex in rows]}


def test_summary_counts_passes_mean_scores_and_codes_per_learner() -> None:
    windows, stacking = summarize(_gradebook())
    assert (windows.exercise, windows.graded, windows.passed) == ("windows", 4, 2)
    assert windows.mean_score == 6.0 and windows.max_score == 10
    assert windows.codes == [("missing_timestep_axis", 2), ("swapped_axes", 1)]
    assert (stacking.passed, stacking.mean_score) == (1, 3.75)
    # a code counts learners, not repetitions inside one learner's failures
    assert stacking.codes == [("missing_return_sequences", 3)]


def test_summary_keeps_the_series_order_and_survives_an_empty_class() -> None:
    data = _gradebook()
    data["exercises"] = ["stacking", "windows"]
    assert [s.exercise for s in summarize(data)] == ["stacking", "windows"]
    empty = summarize({"exercises": ["windows"], "learners": []})
    assert [(s.graded, s.passed, s.mean_score, s.codes) for s in empty] == [(0, 0, 0.0, [])]
    assert "0/0" in table_text(empty)
    assert html_page(empty).startswith("<!doctype html>")


def test_table_shows_each_exercise_with_its_most_frequent_code_first() -> None:
    text = table_text(summarize(_gradebook()))
    lines = {ln.split()[0]: ln for ln in text.splitlines() if ln.strip()
             and ln.split()[0] in ("windows", "stacking")}
    assert "2/4" in lines["windows"] and "6/10" in lines["windows"]
    assert lines["windows"].index("missing_timestep_axis ×2") < lines["windows"].index(
        "swapped_axes ×1")
    assert "1/4" in lines["stacking"] and "missing_return_sequences ×3" in lines["stacking"]


def test_html_page_is_self_contained_with_an_inline_png_chart() -> None:
    page = html_page(summarize(_gradebook()), title="Workshop <2>")
    assert page.startswith("<!doctype html>")
    assert "Workshop &lt;2&gt;" in page and "Workshop <2>" not in page
    # nothing is fetched from elsewhere: the only image is a data: URI
    assert re.findall(r"src='([^']*)'", page)[0].startswith("data:image/png;base64,")
    assert "http://" not in page and "https://" not in page and "<script" not in page
    png = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page).group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    # each code comes with its one-sentence summary, so the instructor knows what to re-teach
    assert html.escape(MISCONCEPTIONS["missing_return_sequences"]) in page


def test_report_of_a_real_grading_run_names_the_learners_misconception(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    instructor, submissions = make_class(tmp_path, ["honest", "stub"])
    for name, double in (("shape_slip", SHAPE_MISTAKE), ("other_slip", SHAPE_MISTAKE)):
        folder = submissions / name
        folder.mkdir()
        (folder / "01_double").mkdir()
        (folder / "02_count").mkdir()
        (folder / "01_double" / "double.py").write_text(double)
        (folder / "02_count" / "count.py").write_text(COUNT_OK)
    (submissions / "honest" / "01_double" / "double.py").write_text(DOUBLE_OK)
    out = tmp_path / "grades"
    grade_all(submissions, out, instructor, seed=5, timeout=8.0, memory_mb=1024)
    from lstm_shapes.grading.class_report import left_out

    double, count = summarize(load_gradebook(out))
    # "stub" handed in the released copy unchanged: named under the table, not counted
    assert (double.passed, double.attempted, double.graded) == (1, 3, 3)
    assert double.codes == [("missing_timestep_axis", 2)]
    assert (count.passed, count.codes) == (3, [])
    assert [name for name, _ in left_out(load_gradebook(out))] == ["stub"]

    page = tmp_path / "class.html"
    assert main(["report", str(out / "gradebook.json"), "--html", str(page)]) == 0
    printed = capsys.readouterr().out
    assert "missing_timestep_axis ×2" in printed and "1/3" in printed
    assert "stub: nothing to grade" in printed
    assert "missing_timestep_axis" in page.read_text() and "stub" in page.read_text()


@pytest.mark.parametrize("content, words", [
    ("not json at all", "not a gradebook"),
    (json.dumps({"exercises": ["windows"]}), "no 'learners' list"),
    (json.dumps([1, 2, 3]), "no 'learners' list"),
])
def test_report_refuses_a_file_that_is_not_a_gradebook(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, words: str) -> None:
    path = tmp_path / "gradebook.json"
    path.write_text(content)
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and str(path) in err


INDEX_SLIP = "def double(x):\n    return [][0]   # an IndexError in the learner's own code\n"


def test_identical_submissions_get_identical_codes_whatever_their_folder_is_called(
        tmp_path: Path) -> None:
    """Codes travel as data: a folder called ``alice_keras`` must not look like Keras code."""
    instructor, submissions = make_class(tmp_path, ["honest"])
    for name, double in (("alice_keras", INDEX_SLIP), ("bob", INDEX_SLIP),
                         ("keras_carol", SHAPE_MISTAKE), ("dan", SHAPE_MISTAKE)):
        for exercise, text in (("01_double/double.py", double), ("02_count/count.py", COUNT_OK)):
            path = submissions / name / exercise
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    out = tmp_path / "grades"
    grade_all(submissions, out, instructor, seed=5, timeout=8.0, memory_mb=1024)
    rows = {g["learner"]: {e["exercise"]: e for e in g["exercises"]}
            for g in load_gradebook(out)["learners"]}
    for a, b, code in (("alice_keras", "bob", None), ("keras_carol", "dan",
                                                      "missing_timestep_axis")):
        assert rows[a]["double"]["codes"] == rows[b]["double"]["codes"], rows
        assert rows[a]["double"]["score"] == rows[b]["double"]["score"] == 0.0
        assert rows[a]["double"]["codes"] == ([code] if code else []), rows[a]["double"]


PROMPTED = '''import numpy as np
from lstm_shapes import expect


def double(x):
    """Return 2 * x with the same shape."""
    ### BEGIN SOLUTION
    return x * 2.0
    ### END SOLUTION
    ### BEGIN PROMPT
    # expect(x, 'batch timesteps features', name='x')  # x is 2-D
    # return x * 2.0
    ### END PROMPT
'''


def test_the_report_counts_the_learners_own_work_and_names_who_is_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The broken starter code of a fix exercise, handed in untouched, is no attempt and
    carries no misconception; an unreadable or empty submission is named, not averaged in."""
    import shutil

    from corpus.exercise_tree import make_tree

    from lstm_shapes.exercises.learner_copy import release
    from lstm_shapes.grading.class_report import left_out

    instructor = make_tree(tmp_path / "instructor")
    (instructor / "01_double" / "double.py").write_text(PROMPTED)
    learner = release(instructor, tmp_path / "learner").out
    subs = tmp_path / "subs"
    for name in ("untouched", "half", "tried"):
        shutil.copytree(learner, subs / name)
    (subs / "half" / "02_count" / "count.py").write_text(COUNT_OK)  # double left as released
    (subs / "tried" / "01_double" / "double.py").write_text(SHAPE_MISTAKE)
    (subs / "tried" / "02_count" / "count.py").write_text(COUNT_OK)
    (subs / "broken.zip").write_bytes(b"PK\x03\x04 broken")
    (subs / "empty").mkdir()
    out = tmp_path / "grades"
    grade_all(subs, out, instructor, seed=5, timeout=8.0, memory_mb=1024)
    book = load_gradebook(out)
    rows = {g["learner"]: {e["exercise"]: e for e in g["exercises"]} for g in book["learners"]}
    assert (rows["half"]["double"]["status"], rows["half"]["double"]["codes"]) == (
        "not_attempted", [])
    assert rows["tried"]["double"]["codes"] == ["missing_timestep_axis"]
    assert {rows[n]["double"]["status"] for n in ("empty", "broken")} == {"missing"}
    double, count = summarize(book)
    assert double.codes == [("missing_timestep_axis", 1)]  # tried's own, not the prompt's
    assert (double.graded, double.attempted, double.mean_score) == (2, 1, 0.0)
    assert (count.passed, count.attempted) == (2, 2)
    assert dict(left_out(book)) == {
        "broken": "not graded: broken.zip: not a readable zip (File is not a zip file)",
        "empty": "nothing to grade: every exercise missing or the released starter code",
        "untouched": "nothing to grade: every exercise missing or the released starter code"}
    assert main(["report", str(out), "--html", str(tmp_path / "r.html")]) == 0
    printed = capsys.readouterr().out
    assert "not in the table (3):" in printed and "  broken: not graded: broken.zip" in printed
    assert "Not in the table (3)" in (tmp_path / "r.html").read_text()

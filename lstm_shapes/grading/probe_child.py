"""The sandboxed child that runs a submission's code: probes in, answer files out.

    python -I -m lstm_shapes.grading.probe_child PLAN.json

The plan lists, per exercise, the instructor's test file, the learner file and the answers
folder. Before each exercise the child appends its name to the plan's progress file, so the
grader knows which exercise was running when it had to kill the child. Nothing this process
prints or writes decides a grade: the grader judges the answer files in its own processes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _run_one(item: dict, seed: int) -> None:
    from lstm_shapes.exercises import answers as _answers
    from lstm_shapes.exercises import probes as _probes
    from lstm_shapes.exercises.probes import import_learner

    answers = Path(item["answers"])
    answers.mkdir(parents=True, exist_ok=True)
    tests = import_learner(Path(item["tests"]))  # the instructor's probes (trusted code)
    keys = sorted(_probes.probes_of(tests))
    learner_file = Path(item["learner"])
    if not learner_file.is_file():
        for key in keys:
            _answers.save_error(answers, key, FileNotFoundError(
                f"{learner_file.name} is missing from the submission"))
        return
    try:
        learner = import_learner(learner_file)
    except BaseException as err:  # noqa: BLE001 - SyntaxError, SystemExit, anything
        for key in keys:
            _answers.save_error(answers, key, err,
                                location=_answers.error_location(err, learner_file))
        return
    _probes.run_probes(tests, learner, answers, seed)


def main(argv: list[str]) -> int:
    from lstm_shapes.grading.sandbox import apply_limits

    plan = json.loads(Path(argv[0]).read_text())
    apply_limits(int(plan["cpu_seconds"]), int(plan["memory_mb"]))
    progress = Path(plan["progress"])
    how = "none: not asked for"
    if plan.get("isolate"):
        from lstm_shapes.grading.isolate import isolate

        how = isolate(hide=plan["hide"], writable=plan["writable"])
    progress.with_name(progress.name + ".isolation").write_text(how)
    for item in plan["exercises"]:
        with progress.open("a") as f:
            f.write(item["name"] + "\n")
        _run_one(item, int(plan["seed"]))
    with progress.open("a") as f:
        f.write("__done__\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

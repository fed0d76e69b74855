"""The probe child: one warm process that forks a confined runner per exercise.

    python -I -S -B -c <boot> lstm_shapes.grading.probe_child REPLY_FD MODE UID|- keras|plain

It imports TensorFlow and Keras once (``keras``: the series uses them) and never runs
submission code itself. For each JSON
line on stdin (one exercise: its probes file, the learner file, the seed of *its* probes,
limits) it forks a runner that sees only that exercise: a copy of the two files and an
empty answers folder in a scratch folder of its own. MODE says how the runner is confined:

- ``namespaces``: a minimal read-only root (:func:`.isolate.confine`);
- ``user``: a throwaway unprivileged user id (:mod:`.identity`), where root may not unshare;
- ``none``: nothing (``--no-isolation``, or neither is possible); the grader says so loudly.

The runner has no handle on the reply pipe, so only this process reports ``started`` and
``ended`` (with the runner's pid and exit status) to the grader, which keeps the clock.
After a runner ends, whatever it left is killed, and the regular files of its answers
folder, and nothing else, are copied to the exercise's answers folder for the judge.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import traceback
from pathlib import Path

CONFINEMENT_FAILED = 75  # a runner that could not be confined exits with this, unrun
MAX_PROCESSES = 512  # per throwaway user (threads count)
FINISHED = ".finished"  # left in the answers folder by a runner that ran every probe


def _warm_up(with_keras: bool) -> None:
    """Import what every exercise needs, before any fork (no TensorFlow op runs here)."""
    import numpy  # noqa: F401
    import pytest  # noqa: F401 - every probes file imports it

    import lstm_shapes.exercises.probes

    if not with_keras:
        return
    try:
        import keras  # noqa: F401
        import tensorflow  # noqa: F401

        import lstm_shapes.diagnosis.diagnosing  # noqa: F401
    except ImportError:
        pass


def _run_one(item: dict, folder: Path) -> None:
    from lstm_shapes.exercises import answers as _answers
    from lstm_shapes.exercises import probes as _probes
    from lstm_shapes.exercises.probes import import_learner

    answers = folder / "answers"
    tests = import_learner(folder / "probes" / Path(item["tests"]).name)
    keys = sorted(_probes.probes_of(tests))
    learner_file = folder / Path(item["learner"]).name
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
    _probes.run_probes(tests, learner, answers, int(item["seed"]))


def _prepare(item: dict, mode: str, uid: int | None) -> Path:
    """The runner's folder: copies of its two files, an empty answers folder, a home.

    It lies in ``<scratch>/work``, beside the empty ``<scratch>/root`` a minimal root is
    built in; under ``user`` it belongs to the runner's user, the rest to root.
    """
    base = Path(item["scratch"])
    folder = base / "work"
    for sub in ("probes", "answers", "home"):
        (folder / sub).mkdir(parents=True)
    (base / "root").mkdir()
    shutil.copyfile(item["tests"], folder / "probes" / Path(item["tests"]).name)
    if Path(item["learner"]).is_file():
        shutil.copyfile(item["learner"], folder / Path(item["learner"]).name)
    if mode == "user" and uid is not None:
        os.chmod(base, 0o711)
        for path in (folder, folder / "answers", folder / "home"):
            os.chown(path, uid, uid)
        os.chmod(folder, 0o700)
    return folder


def _confine(mode: str, uid: int | None, folder: Path) -> None:
    from lstm_shapes.grading import isolate

    if mode == "namespaces":
        from lstm_shapes.grading.interpreter import readable_paths

        isolate.confine(read_only=readable_paths(), writable=[str(folder)],
                        scratch=str(folder.parent / "root"))
        home = "/tmp"
    else:
        home = str(folder / "home")
        if mode == "user" and uid is not None:
            import resource

            from lstm_shapes.grading.identity import become

            become(uid)
            # the user's processes and threads: a fork bomb stops here (TensorFlow needs ~50)
            resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
        isolate.die_with_parent()
    os.environ.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=home)
    import tempfile

    tempfile.tempdir = None
    os.chdir(folder)


def _runner(item: dict, mode: str, uid: int | None, folder: Path) -> int:
    """In the fork: confine, limit, run the exercise's probes. Returns the exit status."""
    from lstm_shapes.grading.isolate import die_with_parent
    from lstm_shapes.grading.sandbox import apply_limits

    die_with_parent()
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    try:
        _confine(mode, uid, folder)
    except BaseException:  # noqa: BLE001 - never run the submission unconfined
        traceback.print_exc()
        return CONFINEMENT_FAILED
    apply_limits(int(item["cpu_seconds"]), int(item["memory_mb"]), on_top=True)
    _run_one(item, folder)
    (folder / "answers" / FINISHED).touch()
    return 0


def _collect(folder: Path, answers: Path) -> None:
    """Copy the regular files of the runner's answers folder (links and the rest ignored)."""
    answers.mkdir(parents=True, exist_ok=True)
    with os.scandir(folder / "answers") as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False) and entry.name != FINISHED:
                shutil.copyfile(entry.path, answers / entry.name, follow_symlinks=False)


def _after(mode: str, uid: int | None, token: str) -> None:
    """Kill what the runner left behind (a PID namespace dies with its init by itself)."""
    if mode == "user" and uid is not None:
        from lstm_shapes.grading.identity import reap

        reap(uid)
    elif mode == "none":
        from lstm_shapes.grading.sandbox import kill_marked

        kill_marked(token, spare=os.getpid())


def _serve_one(item: dict, mode: str, uid: int | None, reply) -> None:
    folder = _prepare(item, mode, uid)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        reply.close()
        code = 70
        try:
            code = _runner(item, mode, uid, folder)
        except BaseException:  # noqa: BLE001 - a runner ends here, whatever happened
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _say(reply, started=item["name"], pid=pid)
    _, status = os.waitpid(pid, 0)
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    _after(mode, uid, os.environ.get("LSTM_SHAPES_SANDBOX", ""))
    finished = (folder / "answers" / FINISHED).is_file()
    confined = code != CONFINEMENT_FAILED
    if confined:
        _collect(folder, Path(item["answers"]))
    shutil.rmtree(folder.parent, ignore_errors=True)
    _say(reply, ended=item["name"], status=code, finished=finished, confined=confined)


def _say(reply, **message) -> None:
    reply.write(json.dumps(message) + "\n")
    reply.flush()


def _choose(mode: str, uid: int | None) -> tuple[str, str]:
    """``(mode, description)``: ``auto`` becomes the strongest confinement that works here."""
    from lstm_shapes.grading.identity import DESCRIPTION
    from lstm_shapes.grading.isolate import MINIMAL

    if mode == "none":
        return "none", "none: not asked for (--no-isolation)"
    reason = _trial()
    if not reason:
        return "namespaces", MINIMAL
    if uid is None:
        return "none", f"none: {reason}; run the grader as root, or allow user namespaces"
    from lstm_shapes.grading.identity import hidden_from_others
    from lstm_shapes.grading.interpreter import readable_paths

    hidden = hidden_from_others([*readable_paths(), os.path.realpath(sys.executable)])
    if hidden:
        return "none", (f"none: {reason}, and a separate user could not read {hidden}; "
                        f"install Python where every user can read it (/usr, /opt)")
    return "user", DESCRIPTION


def _trial() -> str:
    """``""`` when a runner can be confined in namespaces here, else why not."""
    import tempfile

    read_end, write_end = os.pipe()
    with tempfile.TemporaryDirectory(prefix="lstm-shapes-trial-") as tmp:
        (Path(tmp) / "root").mkdir()
        (Path(tmp) / "work").mkdir()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            try:
                from lstm_shapes.grading.interpreter import readable_paths
                from lstm_shapes.grading.isolate import confine

                confine(read_only=readable_paths(), writable=[f"{tmp}/work"],
                        scratch=f"{tmp}/root")
            except BaseException as err:  # noqa: BLE001 - the reason is the answer
                os.write(write_end, str(err).encode()[:300] or b"isolation failed")
            os._exit(0)
        os.close(write_end)
        os.waitpid(pid, 0)
        with os.fdopen(read_end, "rb") as f:
            return f.read().decode("utf-8", "replace")


def main(argv: list[str]) -> int:
    from lstm_shapes.grading.isolate import die_with_parent

    if argv == ["--trial"]:  # can a runner be confined in namespaces here? ("" if so)
        print(_trial())
        return 0

    die_with_parent()
    reply = os.fdopen(int(argv[0]), "w")
    uid = None if argv[2] == "-" else int(argv[2])
    mode, description = _choose(argv[1], uid)
    _warm_up(argv[3] == "keras")
    _say(reply, ready=True, isolation=description)
    for line in sys.stdin:
        _serve_one(json.loads(line), mode, uid, reply)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

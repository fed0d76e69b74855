"""The ``lstm-shapes`` command. Each verb lives in its own module, imported only when used.

A verb module provides ``add_arguments(parser)`` and ``run(args) -> int`` (the exit code).
TensorFlow's start-up lines are hidden (``cli/quiet.py``) unless the global ``--verbose``
flag is given, before or after the verb: ``lstm-shapes --verbose demo``. ``--dir DIR`` (the
exercises folder) may also come before the verb: ``lstm-shapes --dir DIR check 1`` is
``lstm-shapes check 1 --dir DIR``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from lstm_shapes.cli.quiet import quiet_start

VERBOSE = "--verbose"
VERBOSE_HELP = "show TensorFlow's start-up messages on stderr (hidden by default)"

# verb -> (module, one-line help). The order is the order of `lstm-shapes --help`.
VERBS: dict[str, tuple[str, str]] = {
    "demo": ("lstm_shapes.cli.demo", "train the stacked LSTM on the sine task and print the shape story"),
    "explain": ("lstm_shapes.cli.explain", "print every tensor of a model with named dims (and a PNG)"),
    "status": ("lstm_shapes.cli.learner", "show progress and the next exercise (the default)"),
    "check": ("lstm_shapes.cli.learner", "check an exercise (the next unsolved one by default)"),
    "hint": ("lstm_shapes.cli.learner", "show one more hint for an exercise"),
    "watch": ("lstm_shapes.cli.learner", "re-check the current exercise on every save"),
    "release": ("lstm_shapes.cli.learner", "write the learner copy of the exercises"),
    "grade": ("lstm_shapes.cli.instructor", "grade a folder of submissions, isolated and in parallel"),
    "autograder": ("lstm_shapes.cli.instructor", "build a Gradescope autograder bundle"),
    "report": ("lstm_shapes.cli.instructor", "class report: passes and misconceptions per exercise"),
}


def _module(name: str, verb: str):
    module = importlib.import_module(name)
    add = getattr(module, f"add_{verb}_arguments", None) or getattr(module, "add_arguments")
    run = getattr(module, f"run_{verb}", None) or getattr(module, "run")
    return argparse.Namespace(add_arguments=add, run=run)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lstm-shapes`` console script.

    A reader that stops early (``lstm-shapes | head -1``) ends the command quietly with
    status 0: what it did not read was not wanted.
    """
    try:
        try:
            code = _main(list(sys.argv[1:] if argv is None else argv))
        except SystemExit:  # argparse after --help or a usage error
            sys.stdout.flush()
            raise
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no 2nd error at exit
        return 0


def _main(argv: list[str]) -> int:
    verbose = VERBOSE in (argv[:argv.index("--")] if "--" in argv else argv)
    quiet_start(verbose)  # before any verb can import TensorFlow
    folder: list[str] = []  # a --dir before the verb: handed to the verb's own parser
    while argv[:1] == [VERBOSE] or argv[:1] == ["--dir"] and len(argv) > 1 \
            or argv and argv[0].startswith("--dir="):
        taken = 2 if argv[0] == "--dir" else 1
        folder += argv[:taken] if argv[0] != VERBOSE else []
        del argv[:taken]  # the global flag before the verb; after it the verb's parser takes it
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["status", *argv]
    argv += folder
    verb = argv[0]
    parser = argparse.ArgumentParser(prog="lstm-shapes")
    if verb in VERBS:
        module = _module(VERBS[verb][0], verb)
        verb_parser = argparse.ArgumentParser(prog=f"lstm-shapes {verb}",
                                              description=VERBS[verb][1])
        module.add_arguments(verb_parser)
        _add_verbose(verb_parser)
        args = verb_parser.parse_args(argv[1:])
        args.verb, args.verbose = verb, verbose
        try:
            return int(module.run(args) or 0)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
    parser = _help_parser()
    if verb in ("-h", "--help"):
        parser.print_help()
        return 0
    parser.error(f"unknown verb {verb!r}; choose from {', '.join(VERBS)}")
    return 2


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    try:
        parser.add_argument(VERBOSE, action="store_true", help=VERBOSE_HELP)
    except argparse.ArgumentError:
        pass  # the verb has a --verbose of its own; it then means this one too


def _help_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lstm-shapes",
        description="Teach, check and grade the shapes of recurrent networks in Keras. "
        "Without a verb: your progress through the exercises.",
    )
    _add_verbose(parser)
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb, (_, help_text) in VERBS.items():
        sub.add_parser(verb, help=help_text)
    return parser


"""A quiet start for the CLI: no TensorFlow/CUDA/oneDNN/absl start-up lines unless --verbose.

Two layers, both set up before TensorFlow loads:

- the environment: ``TF_CPP_MIN_LOG_LEVEL=3`` (TensorFlow's C++ log: errors too, since the
  CUDA/cuInit ones are start-up chatter; real errors still arrive as Python exceptions),
  unless the user set it;
- the absl lines printed before TensorFlow reads that variable ("All log messages before
  absl::InitializeLog() ...", oneDNN, "Could not find cuda drivers"): while ``tensorflow`` is
  being imported, the native stderr (file descriptor 2) runs through a filter that drops only
  lines in absl's log format. Everything else (a Python warning, a fatal ``F`` line, a
  traceback) passes at once. The filter is a separate small process, so it loses nothing
  even if TensorFlow crashes the interpreter.

>>> is_noise("I0000 00:00:1796163337.820961   31356 cudart_stub.cc:31] Could not find cuda")
True
>>> is_noise("Traceback (most recent call last):")
False
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from lstm_shapes.core.import_hooks import wrap_import

QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3"}
_armed = False  # a filter waits for the import of tensorflow

NOISE = re.compile(
    r"(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWE]\d{4} [\d:.]+ +\d+ [\w./-]+:\d+\] "  # absl: I/W/E, not F (fatal)
    r"|To enable the following instructions: )")  # 2nd line of cpu_feature_guard's note

# Runs in the filter process: native stderr in on stdin, kept lines out on stdout.
_FILTER = """\
import re, sys
noise = re.compile(sys.argv[1].encode())
for line in sys.stdin.buffer:
    if not noise.match(line):
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()
"""


def is_noise(line: str) -> bool:
    """Whether ``line`` is TensorFlow start-up chatter that a quiet start drops."""
    return NOISE.match(line) is not None


def quiet_start(verbose: bool = False) -> None:
    """Hide TensorFlow's start-up lines in this process (``verbose``: change nothing).

    Call it before TensorFlow is imported; afterwards only the environment still helps.
    """
    global _armed
    if verbose:
        return
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    if not _armed and "tensorflow" not in sys.modules:
        _armed = True
        wrap_import("tensorflow", _filtered_import)


def _filtered_import(exec_module: Callable[[ModuleType], None], module: ModuleType) -> None:
    global _armed
    _armed = False
    with filtered_stderr():
        exec_module(module)


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Drop :data:`NOISE` lines from file descriptor 2 inside the block; pass the rest."""
    import subprocess

    child, saved = _start_filter()
    if child is None:  # no file descriptor 2 or no process to filter: show everything
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os.dup2(saved, 2)  # the filter sees the end of its input and exits
        os.close(saved)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a process started meanwhile holds the pipe
            child.kill()


def _start_filter() -> tuple[Any, int]:
    """Point fd 2 at a pipe into the filter process; ``(filter, saved fd 2)``."""
    import subprocess

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):
        return None, -1
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen([sys.executable, "-I", "-S", "-c", _FILTER, NOISE.pattern],
                                 stdin=read_end, stdout=saved, stderr=saved)
    except OSError:
        child = None
    os.close(read_end)
    if child is None:
        os.close(write_end)
        os.close(saved)
        return None, -1
    os.dup2(write_end, 2)
    os.close(write_end)
    return child, saved

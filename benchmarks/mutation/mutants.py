"""The mutants of an exercise's reference solution, made by mutmut's own operators.

What comes from mutmut (3.8.1, pinned in :data:`MUTMUT_VERSION`): the mutation operators
(``mutmut.mutation.mutators.mutation_operators``) and the visitor that decides which nodes
they apply to (``MutationVisitor``: no annotations, no ``len()``/``isinstance()`` calls, no
decorated functions, ...). Its ``covered_lines`` argument -- meant for coverage data -- limits
the mutants to the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the
scaffolding of the learner file is never mutated.

What is ours: each mutation is written out as the whole learner file with that one node
replaced (mutmut itself would merge all of them into one file of trampolines, which the
project's runner cannot drive: see benchmarks/README.md), its id, and its diff.

No TensorFlow here: generating mutants only parses source.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MUTMUT_VERSION = "3.8.1"
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


@dataclass(frozen=True)
class Mutant:
    """One mutant: the learner file with one node of its solution replaced.

    ``id`` stays the same when lines are added elsewhere in the file: it hashes the
    function, the changed lines (without their numbers) and the operator, not positions.
    """

    id: str
    number: int  # 1-based, in mutmut's visiting order
    function: str
    line: int  # first changed line, in the instructor file
    operator: str  # mutmut's operator function, e.g. "operator_swap_op"
    diff: str  # unified diff against the instructor file, 1 line of context
    text: str  # the whole mutated learner file

    @property
    def before(self) -> list[str]:
        return [ln[1:] for ln in self.diff.splitlines()
                if ln.startswith("-") and not ln.startswith("---")]

    @property
    def after(self) -> list[str]:
        return [ln[1:] for ln in self.diff.splitlines()
                if ln.startswith("+") and not ln.startswith("+++")]


def solution_lines(text: str) -> set[int]:
    """1-based numbers of the lines strictly between solution markers (code and blanks)."""
    lines, inside, found = text.splitlines(), False, set()
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith(BEGIN_SOLUTION):
            inside = True
        elif stripped.startswith(END_SOLUTION):
            inside = False
        elif inside:
            found.add(number)
    return found


@contextlib.contextmanager
def _mutmut_config() -> Iterator[None]:
    """mutmut reads its config from the current folder (and fails when it cannot guess the
    code's location); give it an empty one so the project's files play no part."""
    from mutmut.configuration import reset_config

    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="mutmut-config-") as tmp:
        Path(tmp, "setup.cfg").write_text("[mutmut]\nsource_paths = .\n")
        os.chdir(tmp)
        reset_config()
        try:
            from mutmut.configuration import config

            config()  # loaded here, while the empty setup.cfg is current
            yield
        finally:
            os.chdir(here)
            reset_config()


def _check_version() -> None:
    import importlib.metadata

    found = importlib.metadata.version("mutmut")
    if found != MUTMUT_VERSION:  # the operators are mutmut internals: other versions differ
        raise RuntimeError(f"mutmut {MUTMUT_VERSION} is required for reproducible mutants "
                           f"(found {found}); mutant ids and counts depend on its operators")


def _diff(old: str, new: str, name: str) -> str:
    return "\n".join(difflib.unified_diff(old.splitlines(), new.splitlines(), f"a/{name}",
                                          f"b/{name}", n=1, lineterm="")) + "\n"


def _removed_lines(diff: str) -> list[int]:
    """Numbers, in the old file, of the lines a unified diff removes or replaces."""
    removed, old_line = [], 0
    for row in diff.splitlines()[2:]:  # after the ---/+++ header
        if row.startswith("@@"):
            old_line = int(row.split()[1].lstrip("-").split(",")[0])
        elif row.startswith("-"):
            removed.append(old_line)
            old_line += 1
        elif not row.startswith("+"):
            old_line += 1
    return removed


def _changed(diff: str) -> list[str]:
    """The changed lines, marked + or -, without their numbers or indentation."""
    return [row[0] + row[1:].strip() for row in diff.splitlines()[2:]
            if row[:1] in "+-"]


def generate(path: str | os.PathLike[str], *, name: str | None = None) -> list[Mutant]:
    """Every mutant of the solution blocks of the instructor file ``path``.

    Deterministic: the same text gives the same mutants, in the same order, with the same
    ids. Two operators that happen to produce the same file count once.
    """
    _check_version()
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider
    from mutmut.mutation.file_mutation import MutationVisitor
    from mutmut.mutation.mutators import mutation_operators
    from mutmut.mutation.pragma_handling import get_ignored_lines

    path = Path(path)
    name = name or path.name
    text = path.read_text(encoding="utf-8")
    made_by: dict[int, str] = {}  # id(mutated node) -> operator name

    def tagged(operator):  # noqa: ANN001, ANN202 - mutmut's operator signature
        def run(node):  # noqa: ANN001, ANN202
            for mutated in operator(node):
                made_by[id(mutated)] = operator.__name__
                yield mutated
        return run

    operators = [(kind, tagged(op)) for kind, op in mutation_operators]
    with _mutmut_config():
        wrapper = MetadataWrapper(cst.parse_module(text))
        ignored = get_ignored_lines(str(path), text, wrapper, None)
        visitor = MutationVisitor(operators, ignored, solution_lines(text))
        tree = wrapper.visit(visitor)
    mutants: list[Mutant] = []
    seen_texts: set[str] = {text}
    seen_keys: dict[str, int] = {}
    for mutation in visitor.mutations:
        function = mutation.contained_by_top_level_function
        if not isinstance(function, cst.FunctionDef):
            continue  # solution blocks sit in functions; the release refuses others
        new = tree.deep_replace(mutation.original_node, mutation.mutated_node)
        new_text = new.code if isinstance(new, cst.Module) else text
        if new_text in seen_texts:
            continue
        seen_texts.add(new_text)
        diff = _diff(text, new_text, name)
        changed = _changed(diff)
        line = min(_removed_lines(diff), default=0)
        operator = made_by.get(id(mutation.mutated_node), "?")
        key = "\n".join([function.name.value, operator, *changed])
        occurrence = seen_keys.get(key, 0)  # the same edit on two identical lines
        seen_keys[key] = occurrence + 1
        digest = hashlib.sha256(f"{key}\n#{occurrence}".encode()).hexdigest()[:8]
        mutants.append(Mutant(id=digest, number=len(mutants) + 1,
                              function=function.name.value, line=line, operator=operator,
                              diff=diff, text=new_text))
    del tree, wrapper
    return mutants


def unmutated_lines(text: str, mutants: list[Mutant]) -> list[tuple[int, str]]:
    """Solution lines of code that no mutant changes (mutmut has no operator for them:
    slices and subscripts, for one; it also skips decorated functions whole)."""
    lines = text.splitlines()
    touched = {n for mutant in mutants for n in _removed_lines(mutant.diff)}
    structure = ("#", "def ", "class ", "else:", "try:", "finally:")  # nothing to mutate
    return [(n, lines[n - 1].strip()) for n in sorted(solution_lines(text))
            if lines[n - 1].strip() and not lines[n - 1].strip().startswith(structure)
            and n not in touched]

"""What check_model reports: a Finding per mistake, and the Report that holds them with the story."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_shapes.diagnosis.story import ShapeStory


@dataclass(frozen=True)
class Finding:
    """One mistake: ``code`` (see MISCONCEPTIONS), ``where``, ``message``, ``fix``, severity."""

    code: str
    where: str
    message: str
    fix: str
    severity: str = "error"  # "error" (certain) | "warning" (a judgement)

    def __str__(self) -> str:
        from lstm_shapes.core.messages import render_finding

        return render_finding(self.code, self.where, self.message, self.fix, self.severity)


@dataclass
class Report:
    """What check_model found, and the model's shape story."""

    findings: list[Finding] = field(default_factory=list)
    story: ShapeStory | None = None
    note: str = ""  # what was checked, when not the data as given (one batch of a dataset)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "error"]

    @property
    def ok(self) -> bool:
        """No error findings (warnings allowed)."""
        return not self.errors

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def traced(self) -> bool:
        """Whether the model's tensors were followed (False: only the data was checked)."""
        return bool(self.story and self.story.rows)

    def __str__(self) -> str:
        notes = " ".join(n for n in (self.note, self.story.note if self.story else "") if n)
        if not self.findings:
            verdict = "no shape mistakes found" if self.traced else \
                "the model was not checked, only what could be checked without it"
            return f"check_model: {verdict}{' ' + notes if notes else ''}"
        return "\n".join([*(str(f) for f in self.findings), *([notes] if notes else [])])

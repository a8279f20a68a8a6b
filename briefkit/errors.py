"""The exceptions briefkit raises: bad reports (ReportError) and failed renders (RenderError)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a report, located in its source file."""

    file: str
    """The report's path as the user gave it."""
    line: int
    """1-based line; 0 when the problem has no position (e.g. an unreadable file)."""
    col: int
    """1-based column; 0 when unknown."""
    path: str
    """Where in the report, like ``areas[2].relation``; ``(root)`` for the whole file."""
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.path}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "col": self.col, "path": self.path,
                "message": self.message}


class BriefkitError(Exception):
    """Base class of every error briefkit raises on purpose."""


class ReportError(BriefkitError):
    """The report is invalid; ``problems`` lists every problem found, in file order."""

    report_id: str | None = None
    """The id the report's outputs would have (meta.id or the file stem), when it can be told."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.line, p.col, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(BriefkitError):
    """A valid report could not be rendered (missing glyphs, engine failure, unwritable output)."""

    def __init__(self, message: str, *, file: str | None = None):
        self.file = file
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message

"""The exceptions briefkit raises: bad reports (ReportError) and failed renders (RenderError)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
"""C0/C1 controls (newlines, ESC), bidi marks, embeddings, overrides and isolates, line separators and lone
surrogates: a terminal would obey them, and JSON output could not encode a surrogate."""


def safe(text) -> str:
    """``text`` with every character a terminal would act on shown as an escape (``\\n``, ``\\x1b``,
    ``\\u202e``), so one message is always one visible line and encodes as UTF-8."""
    text = str(text)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def _escape(m: re.Match) -> str:
    ch = m.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (
        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


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
        return f"{safe(self.file)}:{self.line}:{self.col}: {safe(self.path)}: {safe(self.message)}"

    def as_dict(self) -> dict:
        """The fields for ``--json``, escaped like the terminal line (a lone surrogate cannot be written)."""
        return {"file": safe(self.file), "line": self.line, "col": self.col, "path": safe(self.path),
                "message": safe(self.message)}


class BriefkitError(Exception):
    """Base class of every error briefkit raises on purpose; its text is terminal-safe (see ``safe``)."""

    def __str__(self) -> str:
        return safe(super().__str__())


class ReportError(BriefkitError):
    """The report is invalid; ``problems`` lists every problem found, in file order."""

    report_id: str | None = None
    """The id the report's outputs would have (meta.id or the file stem), when it can be told."""
    notes: tuple = ()
    """Advice found with the problems (``Report.notices`` of a valid report)."""

    def __init__(self, problems: list[Problem], rank=None):
        """``rank(problem)`` orders problems at one place (a mapping's: all at 0:0) before their paths do."""
        self.problems = sorted(problems, key=lambda p: (p.line, p.col, rank(p) if rank else 0, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)  # one safe line per problem

    def __reduce__(self):
        # whole across processes (a pool's worker hands it back to its parent): problems, id and notes,
        # not the joined text the default pickling would rebuild it from
        return _report_error, (self.problems, self.report_id, self.notes)


def _report_error(problems, report_id, notes) -> ReportError:
    # in the order they were raised in (a mapping's keep its keys' order, which sorting again would lose)
    err = ReportError.__new__(ReportError)
    err.problems = list(problems)
    BriefkitError.__init__(err, "\n".join(str(p) for p in err.problems))
    err.report_id, err.notes = report_id, notes
    return err


class RenderError(BriefkitError):
    """A valid report could not be rendered (missing glyphs, engine failure, unwritable output)."""

    def __init__(self, message: str, *, file: str | None = None):
        self.file = file
        self.message = safe(message)
        super().__init__(self.message)

    def __reduce__(self):
        return _render_error, (self.message, self.file)

    def __str__(self) -> str:
        return f"{safe(self.file)}: {self.message}" if self.file else self.message


def _render_error(message, file) -> RenderError:
    return RenderError(message, file=file)

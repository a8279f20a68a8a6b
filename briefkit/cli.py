"""The command line; the one place exceptions become exit codes (0 ok, 1 invalid, 2 usage, 3 render failure)."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .errors import BriefkitError, RenderError, ReportError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_RENDER = 0, 1, 2, 3
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 already; keep its wording, add a hint
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="briefkit", description="Typeset right-to-left PDF and DOCX policy briefs "
                                             "from YAML or JSON reports.")
    p.add_argument("--version", action="version", version=f"briefkit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    b = sub.add_parser("build", help="build briefs (PDF and DOCX by default)",
                       description="Build OUTDIR/<meta.id>.<format> for every report. REPORT may be a "
                                   "file, a folder (its *.yaml, *.yml, *.json) or a glob.")
    b.add_argument("reports", nargs="+", metavar="REPORT")
    b.add_argument("-o", "--outdir", default="out", metavar="OUTDIR", help="output folder (default: out/)")
    b.add_argument("--format", default="pdf,docx", metavar="FORMATS",
                   help="comma-separated: pdf, docx, html (default: pdf,docx)")
    b.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="parallel worker processes (default: the number of cores)")
    b.add_argument("--shard", metavar="K/N", help="build only the K-th of N stable parts of the inputs")
    b.add_argument("--json", action="store_true", help="print one JSON object describing the run")
    b.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    v = sub.add_parser("validate", help="check reports without building",
                       description="Check reports; print every problem as FILE:LINE:COL: PATH: message.")
    v.add_argument("reports", nargs="+", metavar="REPORT")
    v.add_argument("--json", action="store_true", help="print one JSON object describing the run")
    sub.add_parser("schema", help="print the JSON Schema of the report format")
    x = sub.add_parser("extract", help="print the report a PDF/A-3b brief carries",
                       description="Print the report embedded in a brief built with --pdf-variant a3b.")
    x.add_argument("pdf", metavar="BRIEF.pdf")
    return p


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
    """Run the command line; returns the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = _parser().parse_args(argv)
    try:
        if args.command == "schema":
            from .schema import SCHEMA

            stdout.write(json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n")
            return EXIT_OK
        if args.command == "validate":
            return _validate(args, stdout, stderr)
        if args.command == "build":
            return _build(args, stdout, stderr)
        if args.command == "extract":
            return _extract(args, stdout, stderr)
        _parser().print_help(stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        from .builder import cleanup_temps

        cleanup_temps()
        stderr.write("briefkit: interrupted; no partial file was left\n")
        return EXIT_INTERRUPTED
    except BriefkitError as e:
        from .builder import UsageError

        if isinstance(e, UsageError):
            stderr.write(f"briefkit: error: {e}\n")
            return EXIT_USAGE
        if isinstance(e, ReportError):
            for p in e.problems:
                stderr.write(f"{p}\n")
            return EXIT_INVALID
        stderr.write(f"briefkit: error: {e}\n")
        return EXIT_RENDER if isinstance(e, RenderError) else EXIT_USAGE


def _validate(args, stdout, stderr) -> int:
    from .builder import Result, expand_inputs
    from .loader import load

    paths = expand_inputs(args.reports)
    results = []
    for path in paths:
        r = Result(str(path), "valid")
        try:
            r.id = load(path).meta.id
        except ReportError as e:
            r.status, r.errors, r.id = "invalid", e.problems, e.report_id
            for line in r.lines():
                stderr.write(line + "\n")
        results.append(r)
    code = EXIT_INVALID if any(r.status == "invalid" for r in results) else EXIT_OK
    if args.json:
        stdout.write(json.dumps({"command": "validate", "exit_code": code,
                                 "reports": [_short(r) for r in results]}, ensure_ascii=False) + "\n")
    return code


def _extract(args, stdout, stderr) -> int:
    from .writers.pdftags import extract_source

    try:
        found = extract_source(Path(args.pdf).read_bytes())
    except Exception as e:  # noqa: BLE001 - an unreadable file is a usage error, never a traceback
        stderr.write(f"briefkit: error: cannot read {args.pdf!r} as a PDF: {type(e).__name__}\n")
        return EXIT_USAGE
    if found is None:
        stderr.write(f"briefkit: error: {args.pdf!r} carries no report (build it with --pdf-variant a3b)\n")
        return EXIT_INVALID
    stdout.write(found[1].decode("utf-8"))
    return EXIT_OK


def _short(r) -> dict:
    return {"input": r.input, "id": r.id, "status": r.status, "errors": [p.as_dict() for p in r.errors]}


def _build(args, stdout, stderr) -> int:
    from .builder import UsageError, build_many, expand_inputs, parse_formats, parse_shard, shard

    formats = parse_formats(args.format)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    jobs = args.jobs or os.cpu_count() or 1
    paths = expand_inputs(args.reports)
    if args.shard:
        k, n = parse_shard(args.shard)
        paths = shard(paths, k, n)
    outdir = Path(args.outdir)

    # SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so temporary files are removed.
    def _term(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _term)
    started = time.perf_counter()
    progress = _Progress(len(paths), stderr, quiet=args.quiet)
    try:
        with progress:
            results = build_many(paths, outdir, formats, jobs=jobs, on_result=progress.done)
    finally:
        signal.signal(signal.SIGTERM, previous)
    wall = time.perf_counter() - started

    failed = any(r.status == "failed" for r in results)
    invalid = any(r.status == "invalid" for r in results)
    code = EXIT_RENDER if failed else EXIT_INVALID if invalid else EXIT_OK
    for r in results:
        for line in r.lines():
            stderr.write(line + "\n")
    if args.json:
        totals = {s: sum(r.status == s for r in results) for s in ("built", "invalid", "failed")}
        totals |= {"reports": len(results), "files": sum(len(r.outputs) for r in results),
                   "bytes": sum(o.bytes for r in results for o in r.outputs)}
        doc = {"command": "build", "exit_code": code, "outdir": str(outdir), "formats": list(formats),
               "jobs": jobs, "shard": args.shard, "reports": [r.as_dict() for r in results],
               "totals": totals, "wall_seconds": round(wall, 3)}
        stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return code


class _Progress:
    """A progress bar on a terminal, one line per report otherwise, nothing when quiet."""

    def __init__(self, total: int, stream, *, quiet: bool):
        self.total, self.stream, self.quiet = total, stream, quiet
        self.count = 0
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.quiet and self.stream.isatty() and self.total > 1:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=Console(file=self.stream), transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task("build", total=self.total)
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)
        return False

    def done(self, result) -> None:
        self.count += 1
        if self.bar:
            self.bar.advance(self.task)
        elif not self.quiet:
            outs = ", ".join(o.path.name for o in result.outputs) or "no output"
            self.stream.write(f"[{self.count}/{self.total}] {result.status}: {result.input} → {outs}"
                              f" ({result.seconds:.2f}s)\n")
            self.stream.flush()

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
from .errors import BriefkitError, Problem, RenderError, ReportError, safe
from .options import DEFAULT as DEFAULT_OPTIONS

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_RENDER = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
"""128 + the signal's number: 130 for SIGINT (Ctrl-C), 143 for SIGTERM (a cancelled CI job)."""


class _BadCommandLine(Exception):
    def __init__(self, prog: str, message: str):
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # main() prints argparse's wording and exits 2
        raise _BadCommandLine(self.prog, message)


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
    c = b.add_mutually_exclusive_group()
    c.add_argument("--cache", metavar="DIR", help="the build cache (default: $BRIEFKIT_CACHE, else "
                                                  "$XDG_CACHE_HOME/briefkit, else ~/.cache/briefkit)")
    c.add_argument("--no-cache", action="store_true", help="neither read nor write the build cache")
    b.add_argument("--theme", metavar="FILE", help="a theme file (fonts, colours, page size)")
    b.add_argument("--pdf-variant", type=_pdf_variant, metavar="ua|a3b|ua,a3b",
                   help="tagged PDF/UA-1, PDF/A-3b (the report embedded), or both")
    b.add_argument("--docx-fonts", choices=("embed", "subset", "none"), default=DEFAULT_OPTIONS.docx_fonts,
                   help="fonts in the DOCX: the full faces, only the characters used (default), or none")
    b.add_argument("--no-chart", action="store_true", help="leave the balance chart out")
    b.add_argument("--max-pages", type=int, metavar="N", help="stop a brief that runs past N PDF pages")
    v = sub.add_parser("validate", help="check reports without building",
                       description="Check reports; print every problem as FILE:LINE:COL: PATH: message.")
    v.add_argument("reports", nargs="+", metavar="REPORT")
    v.add_argument("--json", action="store_true", help="print one JSON object describing the run")
    v.add_argument("--theme", metavar="FILE", help="also check this theme file (default: theme.yaml beside "
                                                   "each report, if any)")
    v.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    sub.add_parser("schema", help="print the JSON Schema of the report format")
    x = sub.add_parser("extract", help="print the report a PDF/A-3b brief carries",
                       description="Print the report embedded in a brief built with --pdf-variant a3b.")
    x.add_argument("pdf", metavar="BRIEF.pdf")
    i = sub.add_parser("init", help="write a commented starter report that builds as it is",
                       description="Write a starter report showing every field once, with comments in "
                                   "the report's language. It validates and builds as it is.")
    i.add_argument("path", metavar="PATH", help="the new report file (.yaml)")
    i.add_argument("--lang", default="ar", choices=("ar", "fa", "en"), help="the report's language (default: ar)")
    i.add_argument("--actors", type=int, default=2, metavar="N", help="how many actors, 2 to 12 (default: 2)")
    i.add_argument("--force", action="store_true", help="replace PATH if it exists")
    pv = sub.add_parser("preview", help="rebuild on save and show the brief live in a browser",
                        description="Watch REPORT (and its logo and theme), rebuild on every save and serve "
                                    "the brief on 127.0.0.1 with live reload; problems show in the page and "
                                    "here. Ctrl-C stops.")
    pv.add_argument("report", metavar="REPORT")
    pv.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks a free one; "
                                                           "not used with --pdf, which serves nothing)")
    pv.add_argument("--pdf", action="store_true", help="keep OUTDIR/<id>.pdf rebuilt instead, for a PDF viewer "
                                                       "that reloads")
    pv.add_argument("-o", "--outdir", default="out", metavar="OUTDIR", help="where --pdf writes (default: out/)")
    pv.add_argument("--theme", metavar="FILE", help="a theme file (default: theme.yaml beside the report, if any)")
    return p


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
    """Run the command line; returns the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    words = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parser().parse_args(words)
    except _BadCommandLine as e:
        stderr.write(f"{e.prog}: error: {e}\n(see {e.prog} --help)\n")
        if "--json" in words:            # a CI step writing "> manifest.json" still gets JSON
            command = next((w for w in words if not w.startswith("-")), None)
            stdout.write(_json({"command": command, "briefkit": __version__, "exit_code": EXIT_USAGE,
                                "error": safe(f"{e.prog}: {e}"), "reports": []}))
        return EXIT_USAGE
    try:
        if args.command == "schema":
            from .schema import SCHEMA

            stdout.write(json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n")
            return EXIT_OK
        if args.command == "validate":
            return _validate(args, stdout, stderr)
        if args.command == "init":
            return _init(args, stdout)
        if args.command == "preview":
            return _preview(args, stdout, stderr)
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
    except OSError as e:  # e.g. a report folder that cannot be listed
        stderr.write(f"briefkit: error: {e.strerror or e}: {e.filename or ''}\n")
        return EXIT_RENDER
    except BriefkitError as e:
        from .builder import UsageError

        if isinstance(e, UsageError):
            stderr.write(f"briefkit: error: {e}\n")
            if getattr(args, "json", False):  # a CI step writing "> manifest.json" still gets JSON
                stdout.write(_json({"command": args.command, "briefkit": __version__, "exit_code": EXIT_USAGE,
                                    "error": safe(str(e)), "reports": []}))
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
    options = _theme_options(args)
    results = []
    owners: dict[str, Path] = {}
    themes: dict = {}     # reports in one folder share its theme.yaml: read it once
    for path in paths:
        r = Result(str(path), "valid")
        theme_problems, glyphs = _theme_check(path, options, themes)   # listed even when the report has its own
        try:
            report = load(path, theme_glyphs=glyphs)
            r.id = report.meta.id
            if r.id in owners:  # the same rule as build: the earliest valid input owns an id
                from .builder import id_position

                r.status, r.errors = "invalid", [Problem(str(path), *id_position(path, r.id), "meta.id", (
                    f"'{r.id}' is also the id of {owners[r.id]}: their outputs would overwrite each other"))]
            owners.setdefault(r.id, path)
        except ReportError as e:
            r.status, r.errors, r.id = "invalid", e.problems, e.report_id or r.id
            report = None
            notes = e.notes
        else:
            notes = report.notices
        if theme_problems:
            r.status, r.errors = "invalid", r.errors + [p for p in theme_problems if p not in r.errors]
        for line in r.lines():
            stderr.write(line + "\n")
        if not (args.json or args.quiet):
            for p in notes:
                stderr.write(f"{p}\n")
        results.append((r, notes))
        if r.status == "valid" and not (args.json or args.quiet):
            # an editor sees that the check ran, and a source a deleted paragraph no longer cites
            uncited = report.uncited_sources
            note = (f" (never cited, so listed without a number: {safe(', '.join(uncited))})" if uncited else "")
            stdout.write(f"{safe(r.input)}: valid{note}\n")
    code = EXIT_INVALID if any(r.status == "invalid" for r, _ in results) else EXIT_OK
    if args.json:
        stdout.write(_json({"command": "validate", "briefkit": __version__, "exit_code": code,
                            "reports": [_short(r) | {"notes": [p.as_dict() for p in notes]}
                                        for r, notes in results]}))
    return code


def _theme_check(report_path: Path, options, seen: dict) -> tuple[list, frozenset[str]]:
    """``house.theme_check``, once per theme file for all the reports of one run."""
    from .house import theme_check
    from .style import find_theme

    theme = getattr(options, "theme", None) or find_theme(report_path)
    if theme is None:
        return [], frozenset()
    key = Path(theme).resolve()
    if key not in seen:
        seen[key] = theme_check(report_path, options)
    return seen[key]


def _init(args, stdout) -> int:
    from .builder import UsageError
    from .starter import StarterError, shell_path, write_starter

    try:
        path = write_starter(Path(args.path), args.lang, args.actors, force=args.force)
    except StarterError as e:
        raise UsageError(str(e)) from None
    added = " (.yaml added to the name)" if path.name != Path(args.path).name else ""
    stdout.write(f"briefkit: wrote {shell_path(path)}{added}; next: briefkit preview {shell_path(path)}\n")
    return EXIT_OK


def _preview(args, stdout, stderr) -> int:
    from .builder import UsageError
    from .preview import serve

    report = Path(args.report)
    if not report.is_file():
        raise UsageError(f"{report}: no such file")
    try:
        return serve(report, port=args.port, out=stdout, err=stderr, options=_theme_options(args),
                     pdf_dir=Path(args.outdir) if args.pdf else None)
    except OSError as e:  # the port is taken, or the folder cannot be watched
        raise UsageError(f"preview: {e.strerror or e}") from None


def _theme_options(args):
    """Options carrying ``--theme`` (None without it: the writers then look beside each report)."""
    from .builder import UsageError
    from .options import Options

    if not getattr(args, "theme", None):
        return None
    theme = Path(args.theme)
    if not theme.is_file():
        raise UsageError(f"--theme {args.theme}: no such file")
    return Options(theme=theme)


def _pdf_variant(text: str):
    import argparse

    from .options import pdf_variant

    try:
        return pdf_variant(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _extract(args, stdout, stderr) -> int:
    from .writers.pdftags import extract_source

    import logging

    path = Path(args.pdf)
    if not path.is_file():
        stderr.write(f"briefkit: error: {safe(args.pdf)}: no such file\n")
        return EXIT_USAGE
    try:
        data = path.read_bytes()
    except OSError as e:
        stderr.write(f"briefkit: error: cannot read {safe(args.pdf)}: {e.strerror or e}\n")
        return EXIT_USAGE
    if not data.lstrip(b"\0\t\n\r ")[:1024].startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        what = " (it looks like a report: extract reads a brief's PDF)" if path.suffix.lower() in (
            ".yaml", ".yml", ".json") else ""
        stderr.write(f"briefkit: error: {safe(args.pdf)} is not a PDF{what}\n")
        return EXIT_USAGE
    quiet = logging.getLogger("pypdf")   # its warnings about a damaged file are not the user's to read
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        found = extract_source(data)
    except Exception:  # noqa: BLE001 - a damaged PDF is a usage error, never a traceback
        stderr.write(f"briefkit: error: {safe(args.pdf)} is a damaged PDF: briefkit cannot read it\n")
        return EXIT_USAGE
    finally:
        quiet.level = level
    if found is None:
        stderr.write(f"briefkit: error: {safe(args.pdf)} carries no report (build it with --pdf-variant a3b)\n")
        return EXIT_INVALID
    text = found[1].decode("utf-8")
    stdout.write(text)
    logo = _named_logo(text)
    if logo:
        # the PDF carries the report alone (nothing else is ever embedded): say what a rebuild needs
        stderr.write(f"briefkit: note: the report names its logo {safe(logo)!r}, which the PDF does not carry: "
                     "put the image there, relative to the extracted report, to build it again (a theme is not "
                     "carried either)\n")
    return EXIT_OK


def _named_logo(text: str) -> str | None:
    """``meta.publisher.logo`` of an extracted report (YAML or JSON), or None."""
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe", pure=True).load(text)
        logo = data["meta"]["publisher"]["logo"]
    except Exception:  # noqa: BLE001 - no logo named, or not a mapping: nothing to say
        return None
    return logo if isinstance(logo, str) else None


def _json(doc) -> str:
    text = json.dumps(doc, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in some value: \uXXXX escapes always encode
        text = json.dumps(doc)
    return text + "\n"


def _short(r) -> dict:
    return {"input": safe(r.input), "id": r.id, "status": r.status, "errors": [p.as_dict() for p in r.errors]}


def _build(args, stdout, stderr) -> int:
    from .builder import (Interrupted, UsageError, build_many, expand_inputs, install_signal_handlers,
                          parse_formats, parse_shard, shard_indexes)
    from .options import Options

    formats = parse_formats(args.format)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    if args.max_pages is not None and args.max_pages < 1:
        raise UsageError("--max-pages must be 1 or more")
    theme = Path(args.theme) if args.theme else None
    if theme is not None and not theme.is_file():
        raise UsageError(f"--theme {args.theme}: no such file")
    options = Options(docx_fonts=args.docx_fonts, pdf_variant=args.pdf_variant, chart=not args.no_chart,
                      theme=theme, max_pages=args.max_pages)
    jobs = args.jobs or os.cpu_count() or 1
    paths = expand_inputs(args.reports)  # every input: duplicate ids are judged across all shards
    spec = parse_shard(args.shard) if args.shard else None
    cache = None
    if not args.no_cache:
        from .cache import Cache, default_dir

        cache = Cache(Path(args.cache) if args.cache else default_dir())
    outdir = Path(args.outdir)

    started = time.perf_counter()
    restore = install_signal_handlers()
    progress = _Progress(len(shard_indexes(paths, spec)), stderr, quiet=args.quiet)
    interrupted = None
    try:
        with progress:
            results = build_many(paths, outdir, formats, jobs=jobs, on_result=progress.done, options=options,
                                 cache=cache, shard_spec=spec)
    except Interrupted as e:
        from .builder import cleanup_temps

        cleanup_temps()
        interrupted, results = e.signum, e.results
    finally:
        restore()
    wall = time.perf_counter() - started

    failed = any(r.status == "failed" for r in results)
    invalid = any(r.status == "invalid" for r in results)
    code = (128 + interrupted if interrupted else EXIT_RENDER if failed else EXIT_INVALID if invalid
            else EXIT_OK)
    for r in results:
        for line in r.lines():
            stderr.write(line + "\n")
    progress.summary(results, outdir, wall)
    if cache is not None and cache.error:
        stderr.write(f"briefkit: warning: the build cache {safe(str(cache.root.parent))} cannot be written "
                     f"({safe(cache.error)}): every run renders every brief again\n")
    if interrupted:
        name = signal.Signals(interrupted).name
        stderr.write(f"briefkit: interrupted by {name}; {sum(r.ok for r in results)} of {len(results)} "
                     "briefs were built, no partial file was left\n")
    if args.json:
        totals = {s: sum(r.status == s for r in results) for s in ("built", "cached", "invalid", "failed",
                                                                   "interrupted")}
        totals |= {"reports": len(results), "files": sum(len(r.outputs) for r in results),
                   "bytes": sum(o.bytes for r in results for o in r.outputs)}
        doc = {"command": "build", "briefkit": __version__, "exit_code": code,
               "interrupted": signal.Signals(interrupted).name if interrupted else None,
               "outdir": str(outdir), "formats": list(formats),
               "options": {"docx_fonts": options.docx_fonts, "pdf_variant": options.pdf_variant,
                           "chart": options.chart, "theme": args.theme, "max_pages": options.max_pages},
               "jobs": jobs, "shard": args.shard,
               "cache": {"dir": str(cache.root.parent), "hits": cache.hits, "misses": cache.misses,
                         "error": cache.error}
               if cache is not None else None,
               "reports": [r.as_dict() for r in results], "totals": totals, "wall_seconds": round(wall, 3)}
        stdout.write(_json(doc))
        stdout.flush()
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

    def summary(self, results, outdir: Path, wall: float) -> None:
        """After the bar (which erases itself): one line saying what was written where."""
        if not self.bar or not results:
            return
        counts = {s: sum(r.status == s for r in results) for s in ("built", "cached", "invalid", "failed",
                                                                   "interrupted")}
        made = counts["built"] + counts["cached"]
        files = sum(len(r.outputs) for r in results)
        parts = [f"{made} brief{'s' if made != 1 else ''} ({files} file{'s' if files != 1 else ''}) in "
                 f"{safe(os.path.join(str(outdir), ''))}"]
        parts += [f"{n} {s}" for s, n in counts.items() if n and s not in ("built",)]
        self.stream.write(f"briefkit: {', '.join(parts)} ({wall:.1f}s)\n")
        self.stream.flush()

    def done(self, result) -> None:
        self.count += 1
        if self.bar:
            self.bar.advance(self.task)
        elif not self.quiet:
            outs = ", ".join(o.path.name for o in result.outputs) or "no output"
            theme = f", theme {safe(result.theme)}" if result.theme and result.outputs else ""
            self.stream.write(f"[{self.count}/{self.total}] {result.status}: {safe(result.input)} → {outs}"
                              f" ({result.seconds:.2f}s{theme})\n")
            self.stream.flush()

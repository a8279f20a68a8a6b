"""Building briefs to files: input expansion, sharding, parallel rendering, atomic writes and the run manifest."""
from __future__ import annotations

import glob
import hashlib
import os
import re
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import BriefkitError, Problem, RenderError, ReportError, safe
from .writers import DEFAULT_FORMATS, FORMATS

REPORT_SUFFIXES = (".yaml", ".yml", ".json")


class UsageError(BriefkitError):
    """Bad command-line input (no such file, bad flag value): nothing is built."""


# ---- inputs -------------------------------------------------------------------------------------

def expand_inputs(args: Iterable[str]) -> list[Path]:
    """Files, folders (their *.yaml, *.yml, *.json, sorted) and globs → unique report paths, in order."""
    out: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if q.suffix.lower() in REPORT_SUFFIXES and q.is_file())
            if not found:
                raise UsageError(f"{arg}: the folder holds no .yaml, .yml or .json report")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        elif glob.has_magic(arg):
            found = sorted(Path(m) for m in glob.glob(arg, recursive=True)
                           if Path(m).is_file() and Path(m).suffix.lower() in REPORT_SUFFIXES)
            if not found:
                raise UsageError(f"{arg}: no report matches this pattern")
            out.extend(found)
        elif p.exists():
            raise UsageError(f"{arg}: not a regular file")
        else:
            raise UsageError(f"{arg}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` with 1 ≤ K ≤ N → (K, N)."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not m:
        raise UsageError(f"--shard {text!r}: write it as K/N, like 2/4")
    k, n = int(m.group(1)), int(m.group(2))
    if n < 1 or not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be from 1 to N (N ≥ 1)")
    return k, n


def shard(paths: list[Path], k: int, n: int) -> list[Path]:
    """The K-th of N stable parts of the inputs: sorted by path, then every N-th from the K-th.

    N jobs given the same inputs together build each report exactly once, with no coordination.
    """
    ordered = sorted(paths, key=lambda p: p.as_posix())
    return [p for i, p in enumerate(ordered) if i % n == k - 1]


def parse_formats(text: str) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise UsageError(f"--format {text!r}: choose from {', '.join(FORMATS)} (comma-separated)")
    return wanted


# ---- one report ---------------------------------------------------------------------------------

@dataclass
class Output:
    format: str
    path: Path
    bytes: int
    sha256: str
    pages: int | None = None

    def as_dict(self) -> dict:
        d = {"format": self.format, "path": str(self.path), "bytes": self.bytes, "sha256": self.sha256}
        if self.format == "pdf":
            d["pages"] = self.pages
        return d


@dataclass
class Result:
    """What happened to one report: status is ``built``, ``invalid`` or ``failed``."""

    input: str
    status: str = "built"
    id: str | None = None
    errors: list[Problem] = field(default_factory=list)
    message: str | None = None
    """The render failure, for ``failed``."""
    outputs: list[Output] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    """Peak memory of the process that rendered this report (a worker, with --jobs > 1)."""

    def as_dict(self) -> dict:
        d = {"input": safe(self.input), "id": self.id, "status": self.status,
             "errors": [p.as_dict() for p in self.errors],
             "outputs": [o.as_dict() for o in self.outputs], "seconds": round(self.seconds, 3),
             "peak_rss_mb": self.peak_rss_mb}
        if self.message:
            d["errors"].append({"file": safe(self.input), "line": 0, "col": 0, "path": "(render)",
                                "message": safe(self.message)})
        return d

    def lines(self) -> list[str]:
        """The error lines the CLI prints: FILE:LINE:COL: PATH: message."""
        out = [str(p) for p in self.errors]
        if self.message:
            out.append(f"{safe(self.input)}:0:0: (render): {safe(self.message)}")
        return out


def render_report(source, formats: tuple[str, ...]) -> tuple[Result, dict[str, tuple[bytes, int | None]]]:
    """Load (when given a path) and render every format in memory; nothing is written here."""
    from . import writers
    from .loader import load

    started = time.perf_counter()
    is_report = hasattr(source, "meta")
    result = Result(input=str((source.path or source.meta.id) if is_report else source))
    blobs: dict[str, bytes] = {}
    try:
        report = source if is_report else load(source)
        result.id = report.meta.id
        for fmt in formats:
            blobs[fmt] = writers.render_counted(report, fmt)
    except ReportError as e:
        result.status, result.errors, result.id = "invalid", e.problems, e.report_id
        blobs = {}
    except RenderError as e:
        result.status, result.message, blobs = "failed", e.message, {}
    except Exception as e:  # noqa: BLE001 - a bug in a writer must fail this report, not the run
        result.status, result.message, blobs = "failed", f"internal error: {type(e).__name__}: {e}", {}
    result.seconds = time.perf_counter() - started
    result.peak_rss_mb = _peak_rss_mb()
    return result, blobs


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ---- writing ------------------------------------------------------------------------------------

_live_temps: set[Path] = set()
"""Temporary files being written right now: removed on interruption."""


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp_path = Path(tmp)
    _live_temps.add(tmp_path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, path)
    finally:
        _live_temps.discard(tmp_path)
        if tmp_path.exists():
            tmp_path.unlink()


def cleanup_temps() -> None:
    for p in list(_live_temps):
        try:
            p.unlink()
        except OSError:
            pass
        _live_temps.discard(p)


def _remove_stale(outdir: Path, report_id: str | None, formats: Iterable[str]) -> None:
    if not report_id:
        return
    for fmt in formats:
        stale = outdir / f"{report_id}.{fmt}"
        try:
            stale.unlink()
        except OSError:  # absent, or not ours to remove: either way nothing stale is left by us
            pass


def write_outputs(result: Result, blobs: dict[str, tuple[bytes, int | None]], outdir: Path,
                  formats: tuple[str, ...]) -> Result:
    """Write every blob atomically, or none: a report that failed leaves no file of its name."""
    if result.status != "built":
        _remove_stale(outdir, result.id, formats)
        return result
    written: list[Output] = []
    try:
        for fmt in formats:
            data, pages = blobs[fmt]
            path = outdir / f"{result.id}.{fmt}"
            _write_atomic(path, data)
            written.append(Output(fmt, path, len(data), hashlib.sha256(data).hexdigest(), pages))
    except OSError as e:
        result.status = "failed"
        result.message = f"cannot write to {outdir}: {e.strerror or e}"
        _remove_stale(outdir, result.id, formats)
        return result
    result.outputs = written
    return result


def prepare_outdir(outdir: Path) -> None:
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=outdir, prefix=".briefkit-probe-", delete=True)
        probe.close()
    except OSError as e:
        raise RenderError(f"cannot write to the output folder {outdir}: {e.strerror or e}") from None


# ---- many reports -------------------------------------------------------------------------------

def _worker_init() -> None:
    # Pay the heavy imports once per worker, not once per report.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    from .writers import docx, pdf  # noqa: F401


def _worker(args):
    path, formats = args
    return render_report(path, formats)


def build_many(paths: list[Path], outdir: Path, formats: tuple[str, ...] = DEFAULT_FORMATS, *,
               jobs: int = 1, on_result: Callable[[Result], None] | None = None) -> list[Result]:
    """Render and write every report; the results list is in input order.

    With several jobs, reports are rendered longest first (by file size) so the last worker is not
    left alone with a long brief, and each is written as soon as it is done.
    """
    prepare_outdir(outdir)
    results: list[Result | None] = [None] * len(paths)
    owner: dict[str, int] = {}
    """meta.id → index of the input whose files carry that name (the earliest input wins)."""

    def duplicate(result: Result, other: int) -> None:
        result.status, result.outputs = "invalid", []
        result.errors = [Problem(result.input, 0, 0, "meta.id",
                                 f"'{result.id}' is also the id of {paths[other]}: "
                                 "their outputs would overwrite each other")]
        result.id = None  # the files of that name belong to the other report: not stale

    for i, result, blobs in _render_all(paths, formats, jobs):
        if result.status == "built":
            j = owner.get(result.id)
            if j is not None and j < i:
                duplicate(result, j)
                blobs = {}
            else:
                if j is not None:  # a later input finished first: this one takes the name back
                    duplicate(results[j], i)
                owner[result.id] = i
        results[i] = write_outputs(result, blobs, outdir, formats)
        if on_result:
            on_result(results[i])
    return results


def _render_all(paths: list[Path], formats, jobs: int) -> Iterator[tuple[int, Result, dict]]:
    jobs = max(1, min(jobs, len(paths)))
    if jobs == 1:
        for i, p in enumerate(paths):
            yield (i, *render_report(p, formats))
        return
    import multiprocessing as mp
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    def size(i: int) -> int:
        try:
            return paths[i].stat().st_size
        except OSError:
            return 0

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"),
                               initializer=_worker_init)
    order = sorted(range(len(paths)), key=lambda i: (-size(i), i))
    futures = {pool.submit(_worker, (paths[i], formats)): i for i in order}
    try:
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                yield (i, *fut.result())
            except BrokenProcessPool:
                yield i, Result(str(paths[i]), "failed", message="the worker rendering this report died"), {}
    finally:
        for f in futures:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def build(report, outdir="out", formats=DEFAULT_FORMATS) -> list[Path]:
    """The API: build one report (a Report or a path) and return the written paths.

    Raises ReportError or RenderError like the CLI's exit codes 1 and 3; writes nothing on failure.
    """
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown format(s) {', '.join(bad)}; choose from {', '.join(FORMATS)}")
    outdir = Path(outdir)
    prepare_outdir(outdir)
    result, blobs = render_report(report, formats)
    result = write_outputs(result, blobs, outdir, formats)
    if result.status == "invalid":
        raise ReportError(result.errors)
    if result.status == "failed":
        raise RenderError(result.message or "render failed", file=result.input)
    return [o.path for o in result.outputs]

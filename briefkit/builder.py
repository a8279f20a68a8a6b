"""Building briefs to files: inputs, duplicate ids, shards, the cache, a worker pool, atomic writes, the manifest."""
from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import BriefkitError, Problem, RenderError, ReportError, safe
from .options import DEFAULT, Options
from .writers import DEFAULT_FORMATS, FORMATS

REPORT_SUFFIXES = (".yaml", ".yml", ".json")


class UsageError(BriefkitError):
    """Bad command-line input (no such file, bad flag value): nothing is built."""


# ---- inputs -------------------------------------------------------------------------------------

def expand_inputs(args: Iterable[str]) -> list[Path]:
    """Files, folders (their *.yaml, *.yml, *.json, sorted) and globs → unique report paths, in order.
    A folder or a pattern never yields a ``theme.yaml``: that is the house style of the reports beside it."""
    from .style import THEME_FILE

    def is_report(q: Path) -> bool:
        return q.is_file() and q.suffix.lower() in REPORT_SUFFIXES and q.name != THEME_FILE and not _is_theme(q)

    out: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            found = sorted(q for q in p.iterdir() if is_report(q))
            if not found:
                raise UsageError(f"{arg}: the folder holds no .yaml, .yml or .json report")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        elif glob.has_magic(arg):
            found = sorted(Path(m) for m in glob.glob(arg, recursive=True) if is_report(Path(m)))
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


_THEME_HEAD = re.compile(rb"^\s*[\"']?briefkit-theme[\"']?\s*:", re.M)


def _is_theme(path: Path) -> bool:
    """A theme file under another name (``theme-a5.yaml``): its ``briefkit-theme:`` key in the first 4 KB."""
    try:
        with open(path, "rb") as f:
            return bool(_THEME_HEAD.search(f.read(4096)))
    except OSError:
        return False


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
    stat: tuple | None = None
    """(device, inode, size, mtime_ns) right after our rename: the end-of-run check compares it."""

    def as_dict(self) -> dict:
        d = {"format": self.format, "path": str(self.path), "bytes": self.bytes, "sha256": self.sha256}
        if self.format == "pdf":
            d["pages"] = self.pages
        return d


STATUSES = ("built", "cached", "invalid", "failed", "interrupted")


@dataclass
class Result:
    """What happened to one report: ``built``, ``cached``, ``invalid``, ``failed`` or ``interrupted``."""

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
    sha256: str | None = None
    """The sha256 of the input file's bytes as read for this run."""
    removed: list[str] = field(default_factory=list)
    """Files removed by this run: those this input wrote under an id it no longer has, and its earlier
    outputs when it is now invalid or failed."""
    theme: str | None = None
    """The theme file the report was built with (``--theme``, or theme.yaml beside it)."""

    def as_dict(self) -> dict:
        d = {"input": safe(self.input), "sha256": self.sha256, "id": self.id, "status": self.status,
             "errors": [p.as_dict() for p in self.errors],
             "outputs": [o.as_dict() for o in self.outputs], "seconds": round(self.seconds, 3),
             "peak_rss_mb": self.peak_rss_mb}
        if self.removed:
            d["removed"] = [safe(p) for p in self.removed]
        if self.theme:
            d["theme"] = safe(self.theme)
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

    @property
    def ok(self) -> bool:
        return self.status in ("built", "cached")


def render_report(source, formats: tuple[str, ...], options: Options = DEFAULT, *, raw: bytes | None = None,
                  engine: "_Side | None" = None) -> tuple[Result, dict[str, tuple[bytes, int | None]]]:
    """Load (a path, or ``raw`` bytes read from it) and render every format in memory; writes nothing.
    ``engine``: a forked process ready to typeset the PDF meanwhile (``_Side.engine``)."""
    from .house import theme_glyphs
    from .loader import load, loads

    started = time.perf_counter()
    is_report = hasattr(source, "meta")
    result = Result(input=str((source.path or source.meta.id) if is_report else source))
    blobs: dict[str, tuple[bytes, int | None]] = {}
    side_peaks: list[float] = []
    try:
        glyphs = frozenset() if is_report else theme_glyphs(source, options)
        report = source if is_report else loads(raw, Path(source), name=str(source), theme_glyphs=glyphs) \
            if raw is not None else load(source, theme_glyphs=glyphs)
        result.id = report.meta.id
        blobs = _render_formats(report, formats, options, side_peaks, engine)
    except ReportError as e:
        result.status, result.errors, result.id = "invalid", e.problems, e.report_id
        blobs = {}
    except RenderError as e:
        result.status, result.message, blobs = "failed", e.message, {}
    except _SideFailure as e:
        result.status, result.message, blobs = "failed", e.message, {}
    except Exception as e:  # noqa: BLE001 - a bug in a writer must fail this report, not the run
        result.status, result.message, blobs = "failed", _internal(e), {}
    result.seconds = time.perf_counter() - started
    result.peak_rss_mb = _peak_rss_mb()
    if side_peaks and result.peak_rss_mb is not None:
        result.peak_rss_mb = max(result.peak_rss_mb, *side_peaks)  # the larger of the two processes
    return result, blobs


def _internal(e: Exception) -> str:
    return f"internal error: {type(e).__name__}: {e}"


def _render_formats(report, formats: tuple[str, ...], options: Options, side_peaks: list[float],
                    engine: "_Side | None" = None) -> dict:
    """Every format's (bytes, pages), in order; raises the first format's failure, as rendering them one
    after the other does. With an ``engine`` (``_Side.engine``), it typesets the PDF while this process
    renders the other formats (the same bytes: each format is a pure function of the report)."""
    from . import writers

    remote = engine if engine is not None and "pdf" in formats and engine.submit(report, options) else None
    if remote is None:
        return {fmt: writers.render_counted(report, fmt, options) for fmt in formats}
    outcomes: dict[str, object] = {}
    try:
        for fmt in formats:
            if fmt in remote.formats:
                continue
            try:
                outcomes[fmt] = writers.render_counted(report, fmt, options)
            except Exception as e:  # noqa: BLE001 - raised below, in the formats' order
                outcomes[fmt] = e
                break
        failed = next((i for i, f in enumerate(formats) if isinstance(outcomes.get(f), Exception)), None)
        if failed is not None and not set(formats[:failed]) & set(remote.formats):
            remote.stop()  # a failure before any of its formats: what they give no longer matters
        else:
            outcomes.update(remote.collect(report, options))
    except BaseException:
        remote.stop()  # an interrupt: the child goes at once
        raise
    finally:
        if remote.peak_mb is not None:
            side_peaks.append(remote.peak_mb)
    blobs = {}
    for fmt in formats:
        out = outcomes[fmt]
        if isinstance(out, BaseException):
            raise out
        blobs[fmt] = out
    return blobs


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ---- the PDF beside the other formats ----------------------------------------------------------------

class _SideFailure(Exception):
    """A format the forked process could not render: the message this process would have given."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def can_fork_formats() -> bool:
    """Whether a report's formats can be rendered by two processes here: Linux, two usable cores or more,
    and no thread but this one (a fork copies only the calling thread: a lock another thread holds would
    stay locked in the child)."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2 and len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


class _Side:
    """A forked copy of the process typesetting a report's PDF while the parent renders its other formats.

    Made (``engine``) before the inputs are even read, it imports WeasyPrint and configures its fonts while
    the parent reads and checks the report, then typesets the PDF of the report the parent hands it
    (pickled: the same model, so the same bytes). It ignores SIGINT (the parent decides what an interrupt
    means and stops it), leaves at SIGTERM through its own cleanup, dies with the parent (PR_SET_PDEATHSIG),
    writes nothing but one pickled answer to a pipe and leaves by ``os._exit`` (none of the parent's cleanup
    runs twice). If it dies without answering, the parent renders the PDF itself."""

    def __init__(self, pid: int, fd: int, formats: tuple[str, ...], task_fd: int | None = None):
        self.pid, self.fd, self.formats, self.task_fd = pid, fd, formats, task_fd
        self.peak_mb: float | None = None
        """The child's peak memory (MB), once it has ended."""

    @classmethod
    def engine(cls) -> "_Side | None":
        """A child preparing to typeset a PDF (WeasyPrint imported, fonts configured), then typesetting
        the report given to ``submit``."""
        return cls._fork(("pdf",), _prepare_pdf)

    @classmethod
    def _fork(cls, formats, prepare) -> "_Side | None":
        if not can_fork_formats():
            return None
        parent = os.getpid()
        read, write = os.pipe()
        task_read, task_write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (read, write, task_read, task_write):
                os.close(fd)
            return None
        if pid == 0:  # the child: never returns
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, _leave)
                os.close(read)
                os.close(task_write)
                _die_with_parent(parent)
                import pickle

                try:
                    prepare()
                except Exception:  # noqa: BLE001 - the render says what is wrong, as it would here
                    pass
                received = _read_all(task_read)
                if not received:
                    code = 0
                    return  # nothing to typeset after all (the finally block leaves)
                report, options, first = pickle.loads(received)
                if first is not None:
                    from .writers import pdf

                    pdf.offer_first_html(report, options, *first)
                data = memoryview(pickle.dumps(_side_render(report, formats, options)))
                while data:
                    data = data[os.write(write, data):]
                code = 0
            finally:
                _cleanup_before_exit()
                os._exit(code)
        os.close(write)
        os.close(task_read)
        try:
            import fcntl

            fcntl.fcntl(task_write, 1031, 1 << 20)  # F_SETPIPE_SZ: a report is handed over at once
        except (ImportError, OSError):
            pass  # then the hand-over waits until the child has read it
        return cls(pid, read, formats, task_write)

    def submit(self, report, options: Options) -> bool:
        """Hand the report to an engine, with the HTML of its first layout pass rendered here meanwhile (the
        engine is still importing WeasyPrint); False when it is gone (then render here)."""
        import pickle

        try:
            first = _first_html(report, options)
            data = memoryview(pickle.dumps((report, options, first)))
            while data:
                data = data[os.write(self.task_fd, data):]
        except Exception:  # noqa: BLE001 - gone (a broken pipe), or a model that cannot be pickled
            self.stop()
            return False
        finally:
            if self.task_fd is not None:
                os.close(self.task_fd)
                self.task_fd = None
        return True

    def collect(self, report, options: Options) -> dict[str, object]:
        """Each of the child's formats → (bytes, pages) or the exception it raised (the formats after a
        failed one are left out); rendered here when the child gave no answer."""
        import pickle

        try:
            received = _read_all(self.fd)
        finally:
            os.close(self.fd)
            self.fd = None
        self._reap()
        try:
            answer = pickle.loads(received)
        except Exception:  # noqa: BLE001 - the child died (killed, out of memory): render here instead
            answer = _side_render(report, self.formats, options)
        return _side_outcomes(answer)

    def stop(self) -> None:
        """End the child (SIGTERM, then SIGKILL if it is still there after a second) and reap it."""
        if self.pid is None:
            return
        for fd in (self.fd, self.task_fd):
            if fd is not None:
                os.close(fd)
        self.fd = self.task_fd = None
        try:
            os.kill(self.pid, signal.SIGTERM)  # it leaves through its own cleanup (temporary files)
        except OSError:
            pass
        deadline = time.monotonic() + 1.0
        while True:
            try:
                pid, _, usage = os.wait4(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, usage = self.pid, None
            if pid:
                break
            if time.monotonic() > deadline:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except OSError:
                    pass
                _, _, usage = os.wait4(self.pid, 0)
                break
            time.sleep(0.002)
        self._ended(usage)

    def _reap(self) -> None:
        if self.pid is None:
            return
        while True:
            try:
                _, _, usage = os.wait4(self.pid, 0)
            except InterruptedError:
                continue
            except ChildProcessError:
                usage = None
            break
        self._ended(usage)

    def _ended(self, usage) -> None:
        self.pid = None
        if usage is not None:
            self.peak_mb = round(usage.ru_maxrss / 1024, 1)


def _cleanup_before_exit() -> None:
    """What a render process that leaves by ``os._exit`` must remove itself (WeasyPrint's font folder)."""
    pdf = sys.modules.get("briefkit.writers.pdf")
    if pdf is not None:
        try:
            pdf.cleanup_before_exit()
        except BaseException:  # noqa: BLE001 - leaving anyway (a second SIGTERM, a broken folder)
            pass


def _leave(signum, frame):
    raise SystemExit(128 + signum)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _prepare_pdf() -> None:
    from .writers import pdf

    pdf.prepare()


def _first_html(report, options: Options):
    """``pdf.first_html``, or None when it fails (the engine's own render then fails the same way and says so)."""
    from .writers import pdf

    try:
        return pdf.first_html(report, options)
    except Exception:  # noqa: BLE001 - reported by the render itself
        return None


def _side_render(report, formats: tuple[str, ...], options: Options) -> tuple:
    """("ok", {format: (bytes, pages)}), stopping at the first failure: then also
    (format, kind, details) with kind "report" (problems, report id), "render" or "internal" (message)."""
    from . import writers

    done: dict = {}
    for fmt in formats:
        try:
            done[fmt] = writers.render_counted(report, fmt, options)
        except ReportError as e:
            return "ok", done, (fmt, "report", (list(e.problems), e.report_id))
        except RenderError as e:
            return "ok", done, (fmt, "render", e.message)
        except Exception as e:  # noqa: BLE001 - as render_report reports it
            return "ok", done, (fmt, "internal", _internal(e))
    return "ok", done, None


def _side_outcomes(answer: tuple) -> dict[str, object]:
    _, done, failure = answer
    outcomes: dict[str, object] = dict(done)
    if failure is not None:
        fmt, kind, details = failure
        if kind == "report":
            error = ReportError(details[0])
            error.report_id = details[1]
        elif kind == "render":
            error = RenderError(details)
        else:
            error = _SideFailure(details)
        outcomes[fmt] = error
    return outcomes


# ---- signals --------------------------------------------------------------------------------------

class Interrupted(BaseException):
    """A first SIGINT or SIGTERM: the run stops, writes its manifest and exits 128 + signum."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.results: list[Result] = []


_critical = 0
_pending: int | None = None


class _Critical:
    """Writes and renames run to the end: a signal arriving meanwhile is raised right after."""

    def __enter__(self):
        global _critical
        _critical += 1

    def __exit__(self, *exc):
        global _critical, _pending
        _critical -= 1
        if _critical == 0 and _pending is not None and exc[0] is None:
            signum, _pending = _pending, None
            raise Interrupted(signum)
        return False


def install_signal_handlers():
    """First SIGINT/SIGTERM raises Interrupted; a second one exits at once (128 + signum)."""
    state = {"seen": None}

    def handler(signum, frame):
        global _pending
        if state["seen"] is not None:
            cleanup_temps()
            os._exit(128 + signum)  # workers die with us (PR_SET_PDEATHSIG)
        state["seen"] = signum
        if _critical:
            _pending = signum
        else:
            raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}

    def restore():
        for s, h in previous.items():
            signal.signal(s, h)

    return restore


# ---- writing ------------------------------------------------------------------------------------

_live_temps: set[Path] = set()
"""Temporary files being written right now: removed on interruption."""


_counter = iter(range(1 << 62))


def _write_atomic(path: Path, data: bytes) -> tuple:
    """Write beside the target under a hidden name, then rename: readers see the old file or the new one."""
    tmp = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}.{next(_counter)}.part"
    tmp_path = Path(tmp)
    _live_temps.add(tmp_path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, 0o644)  # whatever the umask: briefs are meant to be shared
            st = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        tmp = None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    finally:
        _live_temps.discard(tmp_path)
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)


def cleanup_temps() -> None:
    for p in list(_live_temps):
        try:
            p.unlink()
        except OSError:
            pass
        _live_temps.discard(p)


def _remove_stale(outdir: Path, report_id: str | None, formats: Iterable[str]) -> list[str]:
    """Remove the files a report that is now invalid or failed built before; the paths removed."""
    removed: list[str] = []
    if not report_id:
        return removed
    for fmt in formats:
        stale = outdir / f"{report_id}.{fmt}"
        try:
            stale.unlink()
            removed.append(str(stale))
        except OSError:  # absent, or not ours to remove: either way nothing stale is left by us
            pass
    return removed


def write_outputs(result: Result, blobs: dict[str, tuple[bytes, int | None]], outdir: Path,
                  formats: tuple[str, ...], *, owns_name: bool = True) -> Result:
    """Write every blob atomically, or none: a report that failed leaves no file of its name.

    ``owns_name`` False: the report's id belongs to another input of the run, whose files must stay.
    """
    with _Critical():
        if not result.ok:
            if owns_name:   # a CI job publishing OUTDIR learns from the manifest that the last brief is gone
                result.removed += _remove_stale(outdir, result.id, formats)
            return result
        written: list[Output] = []
        try:
            for fmt in formats:
                data, pages, *known = blobs[fmt]  # (bytes, pages) or, from the cache, (bytes, pages, sha256)
                path = outdir / f"{result.id}.{fmt}"
                stat = _write_atomic(path, data)
                sha = known[0] if known else hashlib.sha256(data).hexdigest()
                written.append(Output(fmt, path, len(data), sha, pages, stat))
        except OSError as e:
            result.status = "failed"
            result.message = f"cannot write to {outdir}: {e.strerror or e}"
            result.removed += _remove_stale(outdir, result.id, formats)
            return result
        result.outputs = written
        return result


def prepare_outdir(outdir: Path) -> None:
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=outdir, prefix=".briefkit-probe-", delete=True)
        probe.close()
    except OSError as e:
        reason = "it is a file, not a folder" if outdir.exists() and not outdir.is_dir() else (e.strerror or str(e))
        raise RenderError(f"cannot write to the output folder {safe(str(outdir))}: {reason}") from None


def verify_outputs(results: list[Result]) -> None:
    """The end-of-run check: every listed file still exists with the listed bytes, or the report failed."""
    for r in results:
        if not r.ok:
            continue
        for o in r.outputs:
            try:
                st = os.stat(o.path)
                same = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) == o.stat
                if not same:  # replaced (another build into this folder?): compare the bytes
                    same = hashlib.sha256(o.path.read_bytes()).hexdigest() == o.sha256
            except OSError:
                same = False
            if not same:
                r.status = "failed"
                r.message = (f"{o.path} was removed or replaced by another process during the run "
                             "(two builds into one output folder?)")
                r.outputs = []
                break


# ---- inputs of a run: bytes, ids, duplicates -------------------------------------------------------

@dataclass
class Input:
    """One input file as the run sees it: read once, hashed, its id known before any shard is taken."""

    index: int
    path: Path
    raw: bytes | None = None
    sha256: str | None = None
    id: str | None = None
    valid: bool = False
    logo: str | None = None
    """The logo's path relative to the report's folder."""
    memo: str | None = None
    report: object | None = None
    """The loaded Report, when this process had to load it."""
    problems: list[Problem] = field(default_factory=list)
    owner: int | None = None
    """Index of the earlier input that owns this one's id (a duplicate), else None."""


_READ_LIMIT = 64 * 1024 * 1024
"""Larger inputs are not read here (the loader refuses them by their size anyway)."""


def _read_input(inp: Input) -> None:
    try:
        if inp.path.stat().st_size <= _READ_LIMIT:
            inp.raw = inp.path.read_bytes()
            inp.sha256 = hashlib.sha256(inp.raw).hexdigest()
    except OSError:
        pass


def _load_input(inp: Input, options: Options | None = None) -> None:
    from .house import theme_glyphs
    from .loader import MAX_BYTES, load, loads

    try:
        small = inp.raw is not None and len(inp.raw) <= MAX_BYTES  # else load() gives the size error
        glyphs = theme_glyphs(inp.path, options)   # characters the theme draws are covered too
        report = loads(inp.raw, inp.path, name=str(inp.path), theme_glyphs=glyphs) if small \
            else load(inp.path, theme_glyphs=glyphs)
    except ReportError as e:
        inp.id, inp.valid, inp.problems, inp.report = e.report_id, False, e.problems, None
        return
    inp.report, inp.id, inp.valid, inp.problems = report, report.meta.id, True, []
    logo = report.meta.publisher.logo if report.meta.publisher else None
    inp.logo = Path(os.path.relpath(logo, inp.path.resolve().parent)).as_posix() if logo else None


_NOT_IDS = frozenset(("true", "false", "null", "yes", "no", "on", "off", "y", "n"))
"""Slugs YAML 1.1 (PyYAML) or 1.2 (the loader) may read as something else than text."""


def quick_id(raw: bytes | None, path: Path) -> str | None:
    """The ``meta.id`` of an input of another shard, read with libyaml (20 times faster than the loader's
    pure-Python parser), or None whenever the loader could read it otherwise: only a plain file (no tab,
    no-break space, control or BOM), every key of the report and of its meta one the format has, and an id
    that is a slug beginning with a letter and no YAML word. Such an input is presumed valid until its id
    is shared: then it is loaded."""
    from .schema import SCHEMA, SLUG, SLUG_MAX

    if raw is None or len(raw) > 5_000_000:
        return None
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n")     # a file saved on Windows reads alike
    except UnicodeDecodeError:
        return None
    if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00a0\u2028\u2029\ufeff\t]", text):
        return None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.load(text, Loader=yaml.CSafeLoader)   # noqa: S506 - the safe loader in C
    except Exception:  # noqa: BLE001 - anything unusual is the loader's to judge
        return None
    top = SCHEMA["properties"]
    meta = data.get("meta") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or not set(map(str, data)) <= set(top) \
            or not set(map(str, meta)) <= set(top["meta"]["properties"]):
        return None
    value = meta.get("id")
    if not isinstance(value, str) or len(value) > SLUG_MAX or not re.match(SLUG, value) \
            or not value[0].isalpha() or value in _NOT_IDS:
        return None
    return value


def scan_inputs(paths: list[Path], cache=None, options: Options | None = None,
                mine: list[int] | None = None) -> list[Input]:
    """Read every input and find its id and validity (from the cache's memory of these bytes, else by
    loading), then mark duplicates: of the inputs sharing an id, the earliest valid one owns it.

    ``mine``: the indexes this run builds (a shard); the others only need their ids, read by ``quick_id``
    where it can, and are loaded only when an id turns out shared."""
    inputs = [Input(i, p) for i, p in enumerate(paths)]
    others = set(range(len(paths))) - set(mine) if mine is not None else set()
    quick: set[int] = set()
    from . import cache as cache_mod

    from .style import find_theme

    themes: dict[Path, str] = {}
    for inp in inputs:
        _read_input(inp)
        if inp.sha256 is not None:
            # validity also depends on the theme (the characters it draws count as covered)
            theme = getattr(options, "theme", None) or find_theme(inp.path)
            if theme not in themes:
                themes[theme] = cache_mod.theme_hash(theme)
            inp.memo = cache_mod.memo_key(inp.path.name, inp.sha256, themes[theme])
        memo = cache.get_memo(inp.memo) if cache is not None and inp.memo else None
        # Only a valid input is remembered, with its logo's bytes: an input's validity also depends on
        # files outside it (a logo deleted or put back), and a stale answer would hand its id to another
        # input in one run or shard and not in the next.
        if memo is not None and memo.get("valid") and memo.get("logo_sha") == _logo_sha(inp.path, memo.get("logo")):
            inp.id, inp.valid, inp.logo = memo.get("id"), True, memo.get("logo")
            continue
        if inp.index in others:
            inp.id = quick_id(inp.raw, inp.path)
            if inp.id is not None:
                inp.valid = True
                quick.add(inp.index)
                continue
        _load_input(inp, options)
        if cache is not None and inp.memo and inp.valid:
            cache.put_memo(inp.memo, {"id": inp.id, "valid": True, "logo": inp.logo,
                                      "logo_sha": _logo_sha(inp.path, inp.logo)})
    if quick:   # an id read quickly and shared: whether its input is valid decides who owns the id
        count = Counter(inp.id for inp in inputs if inp.id is not None)
        for i in sorted(quick):
            if count[inputs[i].id] > 1:
                _load_input(inputs[i], options)
    owners: dict[str, Input] = {}
    for inp in sorted(inputs, key=lambda x: (not x.valid, x.index)):
        if inp.id is None:
            continue
        owner = owners.setdefault(inp.id, inp)
        if owner is not inp:
            inp.owner = owner.index
    return inputs


def _logo_sha(report_path: Path, logo: str | None) -> str | None:
    """The sha256 of the logo (a path relative to the report's folder) as it is now; '-' for no logo,
    None when it cannot be read or leaves the folder."""
    if not logo:
        return "-"
    folder = report_path.resolve().parent
    target = (folder / logo).resolve()
    if not target.is_relative_to(folder):
        return None
    from .cache import _hash_file

    # only a regular file, at most what any input is read to, in chunks: never a FIFO or /dev/zero (the
    # loader's own, smaller limit refuses it later with a message)
    h = hashlib.sha256()
    return h.hexdigest() if _hash_file(target, h, _READ_LIMIT) else None


def duplicate_problem(inp: Input, owner_path: Path) -> Problem:
    line, col = id_position(inp.path, inp.id)
    return Problem(str(inp.path), line, col, "meta.id",
                   f"'{inp.id}' is also the id of {owner_path}: their outputs would overwrite each other")


def id_position(path: Path, report_id: str) -> tuple[int, int]:
    """Where ``meta.id`` is written (line and column of its value), read from the file's text; (1, 1)
    when the id comes from the file's name. Only a duplicate needs it, so no parse is kept for it."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0, 0
    value = "[\"']?(" + re.escape(report_id) + ")[\"']?"
    m = re.search(r"(?m)(?:^[ \t]*|[{,][ \t]*)\"?id\"?[ \t]*:[ \t]*" + value + r"[ \t]*(?:[,}#\r\n]|$)", text)
    if not m:
        return 1, 1
    start = m.start(1)
    return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1


# ---- the worker pool ------------------------------------------------------------------------------

def _die_with_parent(parent_pid: int) -> None:
    """Linux: the kernel kills this worker when its parent dies, however it dies (even SIGKILL)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _worker_main(conn, parent_pid: int) -> None:
    _die_with_parent(parent_pid)
    # The parent decides what an interrupt means, and kills its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:  # without PR_SET_PDEATHSIG (not Linux), recv() raises EOFError once the parent is gone
        try:
            task = conn.recv()
        except (EOFError, OSError):
            _cleanup_before_exit()
            os._exit(0)
        i, path, raw, formats, options = task
        conn.send((i, *render_report(path, formats, options, raw=raw)))


class _Worker:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None


def _render_pool(tasks: list[tuple], jobs: int, failed: Callable[[tuple, str], tuple]) -> Iterator[tuple]:
    """Render tasks on ``jobs`` spawned workers; a worker that dies fails only its task and is replaced."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("spawn")
    queue = deque(tasks)
    by_index = {t[0]: t for t in tasks}
    workers: list[_Worker] = []
    deaths = 0
    """Worker deaths since the last finished task: past a few, workers cannot work here at all."""
    finished = False
    try:
        while queue or any(w.task is not None for w in workers):
            if deaths > jobs + 2:
                while queue:
                    yield failed(queue.popleft(), "not rendered: the workers kept dying without finishing "
                                                  "a report (see the errors above)")
                if not any(w.task is not None for w in workers):
                    break
            for w in workers:
                if w.task is None and queue:
                    t = queue.popleft()
                    w.task = t[0]
                    w.conn.send(t)
            while queue and len(workers) < jobs:
                w = _Worker(ctx)
                workers.append(w)
                t = queue.popleft()
                w.task = t[0]
                w.conn.send(t)
            busy = [w for w in workers if w.task is not None]
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy]))
            for w in busy:
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                msg = None
                try:
                    if w.conn.poll():
                        msg = w.conn.recv()
                except (EOFError, OSError):
                    msg = None
                if msg is not None:
                    w.task, deaths = None, 0
                    yield msg
                    continue
                if w.proc.is_alive():
                    continue
                code = w.proc.exitcode
                how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                task, w.task = by_index[w.task], None
                workers.remove(w)
                w.conn.close()
                deaths += 1
                yield failed(task, f"the worker rendering this report died ({how})")
        finished = True
    finally:
        if finished:  # idle workers read the end of their pipe and leave, removing their temporary files
            for w in workers:
                w.conn.close()
            for w in workers:
                w.proc.join(timeout=2)
        for w in workers:
            if w.proc.is_alive():
                w.proc.kill()
        for w in workers:
            w.proc.join(timeout=5)
            w.conn.close()


# ---- outputs left under an id the report no longer has ---------------------------------------------

class SourceRecords:
    """Remembers, in the build cache, which id each input last wrote into an output folder, so that when
    a report's ``meta.id`` changes the files under its old id go instead of lingering as a stale brief.
    A file is removed only if its bytes are still the ones this input wrote, and never while an input of
    the run has that id. Without a cache (``--no-cache``) nothing is remembered or removed."""

    def __init__(self, cache, outdir: Path, run_ids: set[str]):
        self.cache = cache
        self.outdir = outdir
        self.folder = str(outdir.resolve())
        self.run_ids = run_ids

    def wrote(self, input_path: Path, result: Result) -> list[Path]:
        """Record ``result``'s files; remove this input's files under an id it no longer has. Returns the
        removed paths."""
        if self.cache is None:
            return []
        key = (self.folder, str(Path(input_path).resolve()))
        rec = self.cache.get_source(*key) or {}
        removed = []
        old_id, files = rec.get("id"), dict(rec.get("files") or {})
        if old_id and old_id != result.id:
            if old_id not in self.run_ids:
                for fmt, sha in files.items():
                    old = self.outdir / f"{old_id}.{fmt}"
                    try:
                        if fmt in FORMATS and hashlib.sha256(old.read_bytes()).hexdigest() == sha:
                            old.unlink()
                            removed.append(old)
                    except OSError:
                        pass
            files = {}
        files.update({o.format: o.sha256 for o in result.outputs})
        new = {"id": result.id, "files": dict(sorted(files.items()))}
        if new != rec:
            self.cache.put_source(*key, new)
        return removed


# ---- many reports -------------------------------------------------------------------------------

def build_many(paths: list[Path], outdir: Path, formats: tuple[str, ...] = DEFAULT_FORMATS, *,
               jobs: int = 1, on_result: Callable[[Result], None] | None = None,
               options: Options = DEFAULT, cache=None, shard_spec: tuple[int, int] | None = None
               ) -> list[Result]:
    """Build this run's share of ``paths``; results are in input order.

    Every input is read and its id found first, so duplicates are judged on all inputs whatever the
    shard. Reports whose outputs are in ``cache`` are copied without loading or rendering; the rest
    are rendered longest first (with ``jobs`` > 1 on spawned workers), each written when done.
    One report with ``jobs`` > 1: a forked copy of this process imports WeasyPrint while the report is
    read and checked, then typesets its PDF while this process renders the other formats (``_Side``).
    On a first signal raises Interrupted carrying the results (the rest marked ``interrupted``).
    """
    mine = shard_indexes(paths, shard_spec)
    engine = _Side.engine() if jobs > 1 and "pdf" in formats and len(mine) == 1 else None
    try:
        return _build_many(paths, outdir, formats, jobs, on_result, options, cache, mine, engine)
    finally:
        if engine is not None:
            engine.stop()  # not needed after all (cached, invalid) or interrupted: it goes


def _build_many(paths, outdir, formats, jobs, on_result, options, cache, mine, engine) -> list[Result]:
    from . import cache as cache_mod

    try:
        prepare_outdir(outdir)
    except RenderError as e:  # nothing can be built: each report of the run says why
        return [Result(str(paths[i]), "failed", message=e.message) for i in mine]
    try:
        inputs = scan_inputs(paths, cache, options, mine)
    except Interrupted as e:  # stopped before anything was built
        e.results = [Result(str(paths[i]), "interrupted") for i in mine]
        raise
    results: dict[int, Result] = {}
    opts_json = cache_mod.options_text(options) if cache is not None else None
    beside_texts: dict[Path, str] = {}
    records = SourceRecords(cache, outdir, {inp.id for inp in inputs if inp.id})

    def finish(i: int, result: Result, blobs: dict, *, owns: bool = True) -> None:
        inp = inputs[i]
        result.input, result.sha256 = str(inp.path), inp.sha256
        if result.ok:
            from .style import find_theme

            theme = options.theme or find_theme(inp.path)
            result.theme = str(theme) if theme else None
        with _Critical():  # a signal now is raised once the result is recorded
            results[i] = write_outputs(result, blobs, outdir, formats, owns_name=owns)
            if results[i].ok:
                results[i].removed = [str(p) for p in records.wrote(inp.path, results[i])]
        if on_result:
            on_result(results[i])

    todo: list[tuple[int, str | None, tuple[str, ...]]] = []
    try:
        for i in mine:
            inp = inputs[i]
            if inp.owner is not None:
                problems = list(inp.problems) if not inp.valid else []
                if not inp.valid and not problems:
                    _load_input(inp, options)
                    problems = inp.problems
                problems.append(duplicate_problem(inp, paths[inp.owner]))
                problems.sort(key=lambda p: (p.line, p.col))    # in file order, as every other list is
                # its id, as validate gives it: owns=False keeps the owner's files of that name
                finish(i, Result(str(inp.path), "invalid", id=inp.id, errors=problems), {}, owns=False)
                continue
            if not inp.valid:
                if not inp.problems:
                    _load_input(inp, options)
                if not inp.valid:
                    finish(i, Result(str(inp.path), "invalid", id=inp.id, errors=inp.problems), {})
                    continue
            key = _entry_key(inp, _beside_theme(options, inp.path, opts_json, beside_texts)) \
                if cache is not None else None
            hit = cache.get(key, formats) if key else {}
            if key and len(hit) == len(formats):
                cache.hits += 1
                cache.touch(key)
                finish(i, Result(str(inp.path), "cached", id=inp.id), hit)
                continue
            if cache is not None:
                cache.misses += 1
            todo.append((i, key, tuple(f for f in formats if f not in hit), hit))

        pending = {i: (key, hit) for i, key, _, hit in todo}
        for i, result, blobs in _render(todo, inputs, jobs, options, engine):
            key, hit = pending.pop(i)
            if result.ok and key:
                for fmt, (data, pages) in blobs.items():
                    cache.put(key, fmt, data, hashlib.sha256(data).hexdigest(), pages)
            finish(i, result, {**hit, **blobs})
    except Interrupted as e:
        _mark_interrupted(inputs, mine, results)
        verify_outputs(list(results.values()))
        e.results = [results[i] for i in mine]
        raise
    finally:
        if cache is not None and cache.stored:
            cache.evict()
    ordered = [results[i] for i in mine]
    verify_outputs(ordered)
    return ordered


def _mark_interrupted(inputs, mine, results) -> None:
    for i in mine:
        if i not in results:
            results[i] = Result(str(inputs[i].path), "interrupted", id=inputs[i].id, sha256=inputs[i].sha256)


def _entry_key(inp: Input, opts_json: str) -> str | None:
    from . import cache as cache_mod

    if inp.memo is None:
        return None
    logo_sha = _logo_sha(inp.path, inp.logo)
    return None if logo_sha is None else cache_mod.entry_key(inp.memo, logo_sha, opts_json)


def shard_indexes(paths: list[Path], spec: tuple[int, int] | None) -> list[int]:
    """The indexes (in input order) of the K-th of N shards; all of them without a spec."""
    if spec is None:
        return list(range(len(paths)))
    k, n = spec
    ordered = sorted(range(len(paths)), key=lambda i: paths[i].as_posix())
    return sorted(i for pos, i in enumerate(ordered) if pos % n == k - 1)


def _beside_theme(options: Options, path: Path, opts_json: str, seen: dict) -> str:
    """The cache's options text, with the theme.yaml beside the report when no --theme is given (the
    writers use it: briefkit.house.theme_for). ``seen``: each theme's text, hashed once per run (a folder
    of reports shares one theme and its fonts, megabytes to read for each report otherwise)."""
    from dataclasses import replace

    from . import cache as cache_mod
    from .style import find_theme

    beside = find_theme(path) if options.theme is None else None
    if not beside:
        return opts_json
    if beside not in seen:
        seen[beside] = cache_mod.options_text(replace(options, theme=beside))
    return seen[beside]


def _render(todo, inputs, jobs: int, options, engine=None) -> Iterator[tuple[int, Result, dict]]:
    def size(i: int) -> int:
        raw = inputs[i].raw
        return len(raw) if raw is not None else 0

    tasks = [(i, inputs[i].path, inputs[i].raw, fmts, options) for i, _, fmts, _ in todo]
    jobs = max(1, min(jobs, len(tasks)))
    if jobs == 1:
        for i, path, raw, fmts, opts in tasks:
            source = inputs[i].report or path
            inputs[i].report = None  # let the model go once rendered
            yield (i, *render_report(source, fmts, opts, raw=raw, engine=engine))
        return
    tasks.sort(key=lambda t: (-size(t[0]), t[0]))

    def failed(task, message):
        return task[0], Result(str(task[1]), "failed", id=inputs[task[0]].id, message=message), {}

    yield from _render_pool(tasks, jobs, failed)


def build(report, outdir="out", formats=DEFAULT_FORMATS, options: Options = DEFAULT) -> list[Path]:
    """The API: build one report (a Report or a path) and return the written paths.

    Raises ReportError or RenderError like the CLI's exit codes 1 and 3; writes nothing on failure.
    """
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown format(s) {', '.join(bad)}; choose from {', '.join(FORMATS)}")
    outdir = Path(outdir)
    prepare_outdir(outdir)
    result, blobs = render_report(report, formats, options)
    result = write_outputs(result, blobs, outdir, formats)
    if result.status == "invalid":
        raise ReportError(result.errors)
    if result.status == "failed":
        raise RenderError(result.message or "render failed", file=result.input)
    return [o.path for o in result.outputs]

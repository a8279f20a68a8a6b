"""`briefkit preview`: rebuild on save and show the brief live in a browser (127.0.0.1 only), or keep a PDF rebuilt."""
from __future__ import annotations

import html
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .errors import BriefkitError, ReportError, safe

_RELOAD = b"""<script>
(function () {
  var seen = null;
  var es = new EventSource("/events");
  es.onmessage = function (e) { if (seen === null) { seen = e.data; } else if (e.data !== seen) { location.reload(); } };
})();
</script>"""

_BANNER_CSS = ("position:sticky;top:0;z-index:9;margin:0;padding:8px 12px;background:#fff4e5;color:#5a2d00;"
               "border-bottom:2px solid #d55e00;font:13px/1.5 monospace;white-space:pre-wrap;direction:ltr;"
               "text-align:left")


class _State:
    """The last good brief, the current problems and a version that changes on every rebuild."""

    def __init__(self):
        self.cond = threading.Condition()
        self.version = 0
        self.page: bytes | None = None
        self.problems: list[str] = []
        self.closed = False

    def publish(self, page: bytes | None, problems: list[str]) -> None:
        with self.cond:
            if page is not None:
                self.page = page
            self.problems = problems
            self.version += 1
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()


_FILE_OF = re.compile(r"^(.*?):\d+:\d+: ")
"""The file a problem line (FILE:LINE:COL: …) is about."""


def render_page(report_path: Path, options=None) -> tuple[bytes | None, list[str]]:
    """(HTML of the brief or None, problem lines) for the report as it is on disk now: the
    self-contained page ``--format html`` writes (fonts and logo inside it, nothing else served)."""
    from .loader import load
    from .writers import render

    from .house import theme_glyphs

    try:
        report = load(report_path, theme_glyphs=theme_glyphs(report_path, options))
        return render(report, "html", options), []
    except ReportError as e:
        return None, [str(p) for p in e.problems]
    except BriefkitError as e:
        return None, [f"{report_path}: {e}"]


def _with_overlay(page: bytes | None, problems: list[str]) -> bytes:
    body = page or b"<!doctype html><html><head><meta charset='utf-8'><title>briefkit preview</title></head><body></body></html>"
    inject = _RELOAD
    if problems:
        lines = "\n".join(html.escape(p) for p in problems)
        note = "" if page else "\n(no brief could be built yet)"
        inject += (f'<pre id="briefkit-problems" role="alert" style="{_BANNER_CSS}">{lines}'
                   f"{html.escape(note)}</pre>").encode("utf-8")
    marker = b"<body"
    at = body.find(marker)
    if at < 0:
        return inject + body
    end = body.find(b">", at) + 1
    return body[:end] + inject + body[end:]


def _handler(state: _State):
    class Handler(BaseHTTPRequestHandler):
        server_version = "briefkit-preview"

        def log_message(self, *args):  # the terminal shows builds, not requests
            pass

        def _send(self, code: int, ctype: str, data: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 (http.server's name)
            # Only this machine's own names: a web page that rebinds its domain to 127.0.0.1 would otherwise
            # read the draft (DNS rebinding); the Host header names the domain the browser thinks it visits.
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
            if host not in ("127.0.0.1", "localhost", "::1"):
                return self._send(403, "text/plain", b"preview answers only http://127.0.0.1/ and localhost")
            path = self.path.split("?", 1)[0]
            if path == "/":
                with state.cond:
                    page, problems = state.page, list(state.problems)
                return self._send(200, "text/html; charset=utf-8", _with_overlay(page, problems))
            if path == "/status":
                with state.cond:
                    data = {"version": state.version, "ok": not state.problems, "problems": state.problems}
                return self._send(200, "application/json", json.dumps(data, ensure_ascii=False).encode())
            if path == "/events":
                return self._events()
            return self._send(404, "text/plain", b"not found")

        def _events(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            sent = None
            try:
                while True:
                    with state.cond:
                        if state.version == sent and not state.closed:
                            state.cond.wait(timeout=15)
                        if state.closed:
                            return
                        version = state.version
                    if version != sent:
                        self.wfile.write(f"data: {version}\n\n".encode())
                        sent = version
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def watched_paths(report_path: Path, options=None) -> set[Path]:
    """The files whose change triggers a rebuild: the report, its logo, the theme and its fonts (a
    ``theme.yaml`` beside the report counts even before it exists)."""
    from .house import theme_for
    from .style import THEME_FILE

    paths = {report_path.resolve(), report_path.resolve().parent / THEME_FILE}
    report = None
    try:
        from .loader import load

        report = load(report_path)
        if report.meta.publisher and report.meta.publisher.logo:
            paths.add(Path(report.meta.publisher.logo).resolve())
    except BriefkitError:
        pass
    if options is not None and options.theme:
        paths.add(Path(options.theme).resolve())
    if report is not None:
        try:
            paths.update(p.resolve() for p in theme_for(report, options).files())
        except BriefkitError:
            pass
    return paths


def serve(report_path: Path, *, port: int = 8000, options=None, out=None, err=None, stop: threading.Event | None = None,
          pdf_dir: Path | None = None) -> int:
    """Rebuild on save until Ctrl-C (or ``stop``); serve the HTML brief, or keep ``pdf_dir/<id>.pdf`` rebuilt."""
    import sys

    from watchfiles import watch

    out = out or sys.stdout
    err = err or sys.stderr
    report_path = Path(report_path)
    stop = stop or threading.Event()
    state = _State()
    server = None

    def rebuild() -> None:
        written = None
        if pdf_dir is not None:
            problems, written = _rebuild_pdf(report_path, pdf_dir, options)
            page = None
        else:
            page, problems = render_page(report_path, options)
        state.publish(page, problems)
        for line in problems:
            err.write(line + "\n")
        if problems:
            kept = "the last good PDF stays" if pdf_dir is not None else "the page keeps the last good brief"
            # a broken theme is not the report's fault: name the files the problems are in
            files = list(dict.fromkeys(m.group(1) if (m := _FILE_OF.match(line)) else safe(str(report_path))
                                       for line in problems))
            where = "" if files == [safe(str(report_path))] else f" (in {', '.join(files)})"
            out.write(f"preview: version {state.version} of {safe(report_path.name)} has problems{where}; {kept}\n")
        else:
            where = f" → {written}" if written else ""
            out.write(f"preview: rebuilt {report_path.name}{where} (version {state.version})\n")
        out.flush()
        err.flush()

    started = False
    previous = None
    if threading.current_thread() is threading.main_thread():
        import signal

        # Ctrl-C stops a preview even one started with SIGINT ignored (a script's background job, where the
        # shell sets it so, and every process started from it inherits that)
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        watched = watched_paths(report_path, options)
        # Watch folders, not files: editors that save by renaming replace the watched inode. The first
        # build waits for the watcher's first tick, so no save made after "rebuilt" is ever missed.
        for changes in watch(*{p.parent for p in watched}, stop_event=stop, debounce=200, step=50,
                             rust_timeout=300, yield_on_timeout=True):
            if not started:
                started = True
                rebuild()
                if pdf_dir is None:
                    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
                    server.daemon_threads = True
                    threading.Thread(target=server.serve_forever, name="briefkit-preview", daemon=True).start()
                    out.write(f"preview: serving http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)\n")
                    out.flush()
            elif any(Path(c[1]).resolve() in watched for c in changes):
                rebuild()
                watched = watched_paths(report_path, options)
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGINT, previous)
        state.close()
        if server is not None:
            server.shutdown()
            server.server_close()
        out.write("preview: stopped\n")
        out.flush()
    return 0


def _rebuild_pdf(report_path: Path, pdf_dir: Path, options) -> tuple[list[str], Path | None]:
    """(problems, the PDF written): a preview with ``--pdf`` says where its PDF is."""
    from .builder import build
    from .loader import load

    try:
        from .house import theme_glyphs

        paths = build(load(report_path, theme_glyphs=theme_glyphs(report_path, options)), pdf_dir,
                      formats=("pdf",), **({"options": options} if options else {}))
        return [], (paths[0] if paths else None)
    except ReportError as e:
        return [str(p) for p in e.problems], None
    except BriefkitError as e:
        return [f"{report_path}: {e}"], None

"""The content-addressed build cache: keys from inputs' bytes (never from a parsed report), bounded, race-safe.

Layout under DIR/v1: ``ids/ab/<key>.json`` remembers what loading a report file found (its id, whether
it is valid, its logo's path), so the key of the next run needs no YAML parsing; ``sources/ab/<key>.json``
which id (and file hashes) an input last wrote into an output folder; ``out/ab/<key>.json``
lists the formats built for one entry key and ``out/ab/<key>.<format>`` holds their bytes. Every file
appears by an atomic rename; a reader that loses a race (a file evicted or half-listed) sees a miss.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

FORMAT = "v1"
DEFAULT_MAX_BYTES = 2 * 1024**3
"""2 GiB: about 1,500 briefs with fully embedded DOCX fonts, 5,000 with subset fonts."""


def default_dir() -> Path:
    """``$BRIEFKIT_CACHE``, else ``$XDG_CACHE_HOME/briefkit``, else ``~/.cache/briefkit``."""
    if os.environ.get("BRIEFKIT_CACHE"):
        return Path(os.environ["BRIEFKIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "briefkit"


def _h(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p if isinstance(p, bytes) else str(p).encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def _hash_tree(root: Path, h, suffixes=None) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if suffixes and not name.lower().endswith(suffixes):
                continue
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix().encode()
            h.update(len(rel).to_bytes(8, "little") + rel)
            data = p.read_bytes()
            h.update(len(data).to_bytes(8, "little") + data)


@lru_cache(maxsize=1)
def code_hash() -> str:
    """briefkit's version, its Python code, templates and fonts: hashed once per process."""
    from . import __version__
    from .resources import fonts_dir, templates_dir

    h = hashlib.sha256(f"briefkit {__version__}\n".encode())
    for name, root, suffixes in (("code", Path(__file__).resolve().parent, (".py",)),
                                 ("templates", templates_dir(), None), ("fonts", fonts_dir(), None)):
        h.update(name.encode())
        _hash_tree(root, h, suffixes)
    return h.hexdigest()


def theme_hash(theme: Path | None) -> str:
    """The theme file and the files it names (its fonts and its logo); '-' for the shipped look.

    Only named files are read, each only when it is a regular file inside the theme's folder and under its
    size limit, and in chunks: a theme beside the reports may be an outside author's, and a symlink to
    /dev/zero or a FIFO anywhere near it must cost nothing (the theme's own check then refuses it)."""
    if theme is None:
        return "-"
    from .style import MAX_FONT_BYTES, MAX_THEME_BYTES, named_files

    theme = Path(theme)
    h = hashlib.sha256()
    if not _hash_file(theme, h, MAX_THEME_BYTES):
        return "unreadable"
    for rel, target in named_files(theme):
        h.update(len(rel.encode()).to_bytes(8, "little") + rel.encode())
        if target is None or not _hash_file(target, h, MAX_FONT_BYTES):
            h.update(b"-")
    return h.hexdigest()


def _hash_file(path: Path, h, limit: int) -> bool:
    """Add a regular file's bytes (at most ``limit``) to ``h``; False, adding nothing, for anything else."""
    import stat

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return False
        with open(path, "rb") as f:
            h.update(st.st_size.to_bytes(8, "little"))
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return False
    return True


def options_text(options) -> str:
    d = asdict(options)
    d["theme"] = theme_hash(options.theme)
    return json.dumps(d, sort_keys=True)


def memo_key(name: str, raw_sha: str, theme: str = "-") -> str:
    """What loading a file finds depends on its bytes, its name (the default id), briefkit's code and the
    theme that applies (``theme_hash``); its logo is checked when the memo is read."""
    return _h("memo", code_hash(), name, raw_sha, theme)


def entry_key(memo: str, logo_sha: str, options_json: str) -> str:
    return _h("entry", memo, logo_sha, options_json, os.environ.get("SOURCE_DATE_EPOCH", ""))


class Cache:
    def __init__(self, root: Path | str, max_bytes: int = DEFAULT_MAX_BYTES):
        self.root = Path(root) / FORMAT
        self.max_bytes = max_bytes
        self.stored = 0
        self.hits = 0
        self.misses = 0
        self.error: str | None = None
        """Why the cache could not be written (the first failure), for the run's warning and manifest."""

    # -- files ------------------------------------------------------------------------------------

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return Path(f"{self.root}{os.sep}{kind}{os.sep}{key[:2]}{os.sep}{key}{suffix}")

    def _put(self, path: Path, data: bytes) -> bool:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as e:
            if self.error is None:  # only a slower build, but a CI job must hear that its cache never fills
                self.error = f"{e.strerror or e}" + (f": {e.filename}" if getattr(e, "filename", None) else "")
            return False
        return True

    def _get(self, path: Path) -> bytes | None:
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return None

    # -- what loading a file found ----------------------------------------------------------------

    def get_memo(self, key: str) -> dict | None:
        data = self._get(self._path("ids", key, ".json"))
        try:
            return json.loads(data) if data else None
        except ValueError:
            return None

    def put_memo(self, key: str, memo: dict) -> None:
        self._put(self._path("ids", key, ".json"), json.dumps(memo).encode())

    # -- which id an input last wrote into an output folder ---------------------------------------

    def get_source(self, outdir: str, input_path: str) -> dict | None:
        data = self._get(self._path("sources", _h("source", outdir, input_path), ".json"))
        try:
            return json.loads(data) if data else None
        except ValueError:
            return None

    def put_source(self, outdir: str, input_path: str, record: dict) -> None:
        self._put(self._path("sources", _h("source", outdir, input_path), ".json"),
                  json.dumps(record, ensure_ascii=False).encode())

    # -- outputs ----------------------------------------------------------------------------------

    def get(self, key: str, formats) -> dict[str, tuple[bytes, int | None, str]]:
        """The cached formats of an entry as {format: (bytes, pages, sha256)}, each checked against its hash."""
        listing = self.listing(key) or {}
        found = {}
        for fmt in formats:
            info = listing.get(fmt)
            data = self._get(self._path("out", key, f".{fmt}")) if info else None
            if data is not None and hashlib.sha256(data).hexdigest() == info.get("sha256"):
                found[fmt] = (data, info.get("pages"), info["sha256"])
        return found

    def listing(self, key: str) -> dict | None:
        data = self._get(self._path("out", key, ".json"))
        try:
            return json.loads(data) if data else None
        except ValueError:
            return None

    def touch(self, key: str) -> None:
        """Mark an entry used (its listing's mtime is the LRU clock)."""
        try:
            os.utime(self._path("out", key, ".json"))
        except OSError:
            pass

    def put(self, key: str, fmt: str, data: bytes, sha256: str, pages: int | None) -> None:
        if not self._put(self._path("out", key, f".{fmt}"), data):
            return
        listing = self.listing(key) or {}
        listing[fmt] = {"sha256": sha256, "pages": pages}
        if self._put(self._path("out", key, ".json"), json.dumps(listing).encode()):
            self.stored += len(data)

    # -- bounds -----------------------------------------------------------------------------------

    def evict(self) -> int:
        """Remove least recently used entries until the cache fits in max_bytes; returns bytes freed."""
        entries: dict[str, list] = {}
        total = 0
        out = self.root / "out"
        if not out.is_dir():
            return 0
        for sub in os.scandir(out):
            if not sub.is_dir():
                continue
            for f in os.scandir(sub.path):
                try:
                    st = f.stat()
                except OSError:
                    continue
                key, _, suffix = f.name.partition(".")
                e = entries.setdefault(key, [0.0, 0, []])
                e[1] += st.st_size
                e[2].append(f.path)
                if suffix == "json":
                    e[0] = st.st_mtime
                total += st.st_size
        freed = 0
        target = int(self.max_bytes * 0.9)
        if total <= self.max_bytes:
            return 0
        for key, (mtime, size, files) in sorted(entries.items(), key=lambda kv: kv[1][0]):
            if total - freed <= target:
                break
            # the listing first: a concurrent reader then sees a miss, never a listed but absent file
            for p in sorted(files, key=lambda p: not p.endswith(".json")):
                try:
                    os.unlink(p)
                except OSError:
                    pass
            freed += size
        return freed

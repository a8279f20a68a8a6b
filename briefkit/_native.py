"""Importing WeasyPrint without the helper processes its library lookup would start."""
from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def direct_dlopen():
    """While WeasyPrint loads Pango & co, a name that dlopen cannot open fails at once.

    cffi's ``dlopen`` falls back to ``ctypes.util.find_library`` for every name it cannot open
    directly, and WeasyPrint tries several names per library (``libgobject-2.0-0``, ``gobject-2.0``,
    ...) before the Linux soname that works: each fallback runs ``ldconfig -p``, ``gcc`` and ``ld``
    (215 processes, ~0.1 s). On Linux, dlopen already searches everything find_library would (the
    ld.so cache and LD_LIBRARY_PATH), so the fallback can never find more; elsewhere nothing changes.
    """
    if not sys.platform.startswith("linux"):
        yield
        return
    import ctypes.util

    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


def import_weasyprint():
    """``import weasyprint`` through :func:`direct_dlopen`; returns the module."""
    if "weasyprint" not in sys.modules:
        with direct_dlopen():
            import weasyprint  # noqa: F401
    return sys.modules["weasyprint"]

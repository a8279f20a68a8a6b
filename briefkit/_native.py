"""Importing WeasyPrint without the helper processes its library lookup would start, without the fontTools
modules it never calls here, and with its C types named without re-parsing every declaration it made."""
from __future__ import annotations

import re
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


DEFERRED = {"fontTools.subset": None, "fontTools.varLib.instancer": "instantiateVariableFont"}
"""Modules ``weasyprint.pdf.fonts`` imports at its top and uses only in rare cases: the module → the one
name WeasyPrint takes from it (None: it takes the module itself)."""


@contextmanager
def deferred_imports():
    """While WeasyPrint is imported, ``fontTools.subset`` and ``fontTools.varLib.instancer`` are stand-ins
    that import the real module when first used.

    WeasyPrint 70 subsets fonts with HarfBuzz and only falls back to fontTools' subsetter when HarfBuzz is
    older than 4.1; it instantiates only variable fonts (briefkit ships none). Importing the two (with
    ``fontTools.ttLib.tables.otTables`` and ``fontTools.varLib``) cost ~80 ms of every process that typesets,
    a twentieth of a cold build. The stand-ins leave ``sys.modules`` once WeasyPrint is imported: any other
    importer gets the real modules, and a stand-in forwards every use to them (so a fallback still works).
    A module already imported is left alone."""
    import importlib
    import types

    installed = {}
    for name, attribute in DEFERRED.items():
        if name in sys.modules:
            continue
        stand_in = types.ModuleType(name, "briefkit's stand-in: the real module is imported when used")

        def real(name=name):
            return importlib.import_module(name)

        if attribute is None:
            stand_in.__getattr__ = lambda attr, real=real: getattr(real(), attr)
        else:
            def call(*args, _real=real, _attr=attribute, **kwargs):
                return getattr(_real(), _attr)(*args, **kwargs)

            setattr(stand_in, attribute, call)
        installed[name] = stand_in
        sys.modules[name] = stand_in
    try:
        yield
    finally:
        for name, stand_in in installed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if getattr(sys.modules.get(parent), child, None) is stand_in:
                delattr(sys.modules[parent], child)


def import_weasyprint():
    """``import weasyprint`` through :func:`direct_dlopen` and :func:`deferred_imports`; returns the module."""
    if "weasyprint" not in sys.modules:
        with direct_dlopen(), deferred_imports():
            import weasyprint  # noqa: F401
            import weasyprint.pdf.fonts  # noqa: F401 - the deferred modules' importer, while they stand in
        try:
            from weasyprint.text.ffi import ffi
        except ImportError:
            pass
        else:
            quick_type_names(ffi)
    return sys.modules["weasyprint"]


_SIMPLE_TYPE = re.compile(r"\s*((?:(?:un)?signed )?[A-Za-z_][A-Za-z0-9_]*)\s*(?:(\*+)|\[\s*(\d*)\s*\])?\s*")


def quick_type_names(ffi) -> None:
    """``ffi.new("hb_codepoint_t[419]")`` and the like without pycparser, for a declared typedef name.

    cffi turns each new type string into a type by parsing a C file made of a typedef line for every
    name WeasyPrint declared (~5 ms each): ~20 strings in a process's first PDF (~0.1 s), and a new one
    in any later render for each new glyph count of a font subset. A typedef or primitive type name, a
    pointer to one or an array of one is built here from cffi's own model, exactly as its parser builds
    it; any other string takes cffi's parser as before."""
    from cffi import model

    parser = getattr(ffi, "_parser", None)
    original = getattr(parser, "parse_type_and_quals", None)
    declarations = getattr(parser, "_declarations", None)
    if original is None or not isinstance(declarations, dict) or not hasattr(parser, "_get_type_pointer"):
        return

    primitive = model.PrimitiveType.ALL_PRIMITIVE_TYPES

    def parse_type_and_quals(cdecl):
        m = _SIMPLE_TYPE.fullmatch(cdecl)
        found = m and (declarations.get("typedef " + m.group(1))
                       or (m.group(1) in primitive and (model.PrimitiveType(m.group(1)), 0)))
        if not found:
            return original(cdecl)
        tp, quals = found
        stars, length = m.group(2), m.group(3)
        if stars:
            for _ in stars:
                tp, quals = parser._get_type_pointer(tp, quals), 0
            return tp, quals
        if length is not None:
            return model.ArrayType(tp, int(length) if length else None), quals
        return tp, quals

    parser.parse_type_and_quals = parse_type_and_quals

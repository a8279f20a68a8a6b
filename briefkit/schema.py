"""The JSON Schema (draft 2020-12) of the report format: the single source of its structure rules."""
from __future__ import annotations

from .links import SLUG, URL_PATTERN

DATE = r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$"
COLOR = r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$"
LANG = r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"
URL = URL_PATTERN
TEXT_MAX = 500
"""A title, name, region, heading or source title: a line or two, never a page (a hostile 5 MB title took minutes)."""
SLUG_MAX = 100
"""An id names the output files: a file name has 255 bytes at most."""
"""Every pattern here is ECMA-262 as well as Python: editors' JSON Schema tools (VS Code, ajv) compile them."""


SCHEMA_ID = "briefkit-1.schema.json"
"""Relative, so it resolves to the file itself wherever it is served or saved (schema/ in the repository)."""


def _obj(props: dict, required: tuple[str, ...] = (), **extra) -> dict:
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    out.update(extra)
    return out


_text = {"$ref": "#/$defs/text"}
_inline = {"$ref": "#/$defs/inline"}
_slug = {"$ref": "#/$defs/slug"}
_date = {"$ref": "#/$defs/date"}
_url = {"$ref": "#/$defs/url"}


def _list(item: dict, min_items: int = 0, max_items: int = 0) -> dict:
    out = {"type": "array", "items": item}
    if min_items:
        out["minItems"] = min_items
    if max_items:
        out["maxItems"] = max_items
    return out


LIST_MAX = 100
"""Keywords, authors, aliases and breadcrumb items print in the masthead and metadata: a hundred is already
far past a brief's (a hostile report's 20,000 keywords took 99 s to typeset)."""


_markdown = {"$ref": "#/$defs/markdown"}
_paragraphs = {"oneOf": [_markdown, _list(_markdown, 1)]}

_RAW: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "briefkit report",
    "description": "One policy brief about the relation between two or more actors.",
    "$defs": {
        "text": {"type": "string", "minLength": 1, "maxLength": TEXT_MAX, "description": "Plain text."},
        "inline": {"type": "string", "minLength": 1,
                   "description": "Inline text: **bold**, *italic*, [text](https://…), [^source-id]."},
        "markdown": {"type": "string", "minLength": 1,
                     "description": "Markdown prose: paragraphs separated by blank lines, '-'/'*'/'1.' lists "
                                    "(one level of nesting), '>' quotes, '###' sub-headings; inline text within."},
        "slug": {"type": "string", "pattern": SLUG, "maxLength": SLUG_MAX},
        "date": {"type": ["string", "integer"], "pattern": DATE,
                 "description": "YYYY, YYYY-MM or YYYY-MM-DD."},
        "url": {"type": "string", "pattern": URL},
        "author": {"oneOf": [_text, _obj({"name": _text, "role": _text}, ("name",))]},
        "block": {"oneOf": [
            _markdown,
            _obj({"quote": _inline, "by": _inline}, ("quote",)),
            _obj({"list": _list(_inline, 1), "ordered": {"type": "boolean"}}, ("list",)),
        ]},
    },
    **_obj({
        "briefkit": {"const": 1, "description": "Format version; must be 1."},
        "meta": _obj({
            "id": _slug,
            "title": _text,
            "subtitle": _text,
            "kicker": _text,
            "breadcrumb": _list(_text, max_items=LIST_MAX),
            "lang": {"type": "string", "pattern": LANG},
            "dir": {"enum": ["rtl", "ltr"]},
            "locale": {"type": "string", "pattern": LANG},
            "date": _date,
            "authors": _list({"$ref": "#/$defs/author"}, max_items=LIST_MAX),
            "publisher": _obj({"name": _text, "url": _url, "logo": _text}, ("name",)),
            "source": _obj({"title": _text, "url": _url, "accessed": _date}, ("title",)),
            "keywords": _list(_text, max_items=LIST_MAX),
            "digits": {"enum": ["latin", "native"]},
            "chart": {"type": "boolean", "description": "Print the balance chart (default true)."},
        }, ("title",)),
        "actors": _list(_obj({
            "id": _slug,
            "name": _text,
            "aliases": _list(_text, max_items=LIST_MAX),
            "color": {"type": "string", "pattern": COLOR},
        }, ("id", "name")), 2),
        "takeaways": _list(_inline),
        "summary": _paragraphs,
        "areas": _list(_obj({
            "id": _slug,
            "title": _text,
            "region": _text,
            "relation": {"enum": ["cooperation", "rivalry", "mixed"]},
            "intensity": {"type": "integer", "minimum": 1, "maximum": 5},
            "summary": _inline,
            "positions": {"type": "object", "additionalProperties": _inline},
            "sections": _list(_slug),
        }, ("id", "title", "region", "relation")), 1),
        "sections": _list(_obj({
            "id": _slug,
            "heading": _text,
            "body": {"oneOf": [_markdown, _list({"$ref": "#/$defs/block"})]},
        }, ("id", "heading"))),
        "timeline": _list(_obj({"date": _date, "event": _inline, "area": _slug}, ("date", "event"))),
        "outlook": _paragraphs,
        "recommendations": {"oneOf": [_markdown, _list(_inline)]},
        "sources": _list(_obj({
            "id": _slug,
            "title": _text,
            "publisher": _text,
            "url": _url,
            "date": _date,
        }, ("id", "title"))),
    }, ("briefkit", "meta", "actors", "areas")),
}


def _annotate(node: dict, path: str) -> None:
    from .schema_docs import FIELDS

    for key, sub in node.get("properties", {}).items():
        child = f"{path}.{key}" if path else key
        _document(sub, child, FIELDS)
        _annotate(sub, child)
    for branch in node.get("oneOf", ()):
        _annotate(branch, path)
    if "items" in node:
        _document(node["items"], f"{path}[]", FIELDS)
        _annotate(node["items"], f"{path}[]")


def _document(node: dict, path: str, fields: dict) -> None:
    if path not in fields:
        return
    description, examples, default = fields[path]
    node["description"] = description
    if examples:
        node["examples"] = examples
    if default is not None:
        node["default"] = default


def _build() -> dict:
    import json

    from .schema_docs import DEFS

    # the sub-schemas above are shared objects (every text field is one ``_text``): a deep copy would keep them
    # shared, and each field's description would overwrite the others' (every text read «Who published it.»)
    schema = json.loads(json.dumps(_RAW))
    for name, text in DEFS.items():
        schema["$defs"][name]["description"] = text
    _annotate(schema, "")
    return schema


SCHEMA: dict = _build()
"""The report format, with a description and an example for every field (what `briefkit schema` prints)."""

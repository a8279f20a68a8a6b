"""Link and id rules, written once: the schema, the inline parser and the HTML writer import them."""
from __future__ import annotations

import re

ALLOWED_SCHEMES = ("http", "https", "mailto")
"""The only link schemes a report may use."""

URL_PATTERN = (r"^(?:[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@\\]+(?:[/?#][^\s\\]*)?"
               r"|[Mm][Aa][Ii][Ll][Tt][Oo]:\S+)$")
"""JSON-schema pattern of a URL field (``meta.publisher.url``, ``sources[].url``, ...): an http(s) address has
a host, and neither a user name before it nor a backslash (``http://evil.example\\@good.example/``: browsers and
PDF viewers disagree on its host). ECMA-262 as well as Python (no inline flags): editors' schema tools (VS
Code's YAML server, ajv) compile it."""

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Ids (``meta.id``, actors, areas, sections, sources): lower-case ASCII words joined by hyphens."""

_SAFE_HREF = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_SLUG = re.compile(SLUG)


def is_safe_href(href: str | None) -> bool:
    """True for an http, https or mailto address (what a writer may emit as a link)."""
    return bool(href) and _SAFE_HREF.match(href) is not None


def is_slug(value: str) -> bool:
    return _SLUG.match(value) is not None


_BARE_HOST = re.compile(r"(?i)((?:[a-z0-9-]+\.)+([a-z]{2,24}))(?:[/?#]\S*)?")
_FILE_TYPES = frozenset("html htm php asp aspx jsp pdf doc docx xls xlsx ppt pptx odt png jpg jpeg gif svg webp "
                        "txt md yaml yml json xml csv zip".split())


def with_scheme(text: str) -> str | None:
    """``https://`` + ``text`` when ``text`` is an address written without its scheme (``www.x.org/a``),
    else None (``page.html`` is a file, not a host): what a message proposes instead of only refusing
    the link."""
    m = _BARE_HOST.fullmatch(text)
    if m and (m.group(1).lower().startswith("www.") or m.group(2).lower() not in _FILE_TYPES):
        return f"https://{text}"
    return None


def host_problem(url: str) -> str | None:
    """What makes the host an http(s) address opens unclear, in words; None when it is clear."""
    from urllib.parse import urlsplit

    if not re.match(r"(?i)https?:", url):
        return None
    if "\\" in url:
        return "has a backslash: browsers and PDF viewers read its host differently (write it with '/')"
    rest = url.split(":", 1)[1]
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0] if rest.startswith("//") else ""
    if not authority:
        return "has no host"
    if "@" in authority or urlsplit(url).username is not None:
        return ("has a user name before its host ('…@'): a reader cannot tell which host it opens (write it "
                "without the part before '@')")
    return None


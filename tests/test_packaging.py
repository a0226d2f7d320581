"""The wheel carries every subpackage and the element sets (pyproject lists packages by hand)."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "orbitview").rglob("__init__.py")}
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"


def test_element_sets_ship_as_package_data():
    from orbitview.resources import bundled_names

    assert bundled_names("tle") == sorted(p.stem for p in (ROOT / "tle").glob("*.tle"))


def test_every_data_file_is_package_data():
    """Each file under orbitview/data/ matches a package-data glob of its folder's package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = config["package-data"]
    for path in (ROOT / "orbitview" / "data").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            package = ".".join(path.parent.relative_to(ROOT).parts)
            assert package in config["packages"], f"add {package} to [tool.setuptools] packages"
            assert any(path.match(g) for g in globs.get(package, [])), f"{path} is not package data"

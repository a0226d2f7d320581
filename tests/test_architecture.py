"""Imports flow one way: each module imports only from its own layer or the layers below it, no
two modules import each other (directly or round a loop), and ``import orbitview`` loads neither
numba nor the renderer. The layers are the ones docs/ARCHITECTURE.md lists.

Imports under ``if TYPE_CHECKING:`` are annotations only and do not count; imports inside
functions (loaded when first called) do.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path


PACKAGE = Path(__file__).parent.parent / "orbitview"

# Lowest first. A module belongs to the layer of its top-level name under orbitview.
LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"errors", "datafile", "resources", "skydata", "earth", "frames", "table", "outputs"}),
    ("clock", {"clock", "videoclock"}),
    ("tracks", {"tle", "orbits", "bodies", "sites", "atmosphere", "exhaust", "rocketlight", "ascent", "moon",
                "opportunities"}),
    ("sightlines", {"view"}),
    ("render", {"render"}),
    ("application", {"scenario", "scene", "shots", "report", "export", "checks", "framing", "cli", "__init__",
                     "launches", "sighting", "surveys", "cluster", "manifest", "surveyplot"}),
]
LAYER_OF = {name: rank for rank, (_, names) in enumerate(LAYERS) for name in names}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYER_OF[parts[1] if len(parts) > 1 else "__init__"]


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path, root: Path = PACKAGE) -> set[str]:
    """The orbitview modules ``path`` imports (resolved to modules, not names in them)."""
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("orbitview"))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.startswith("orbitview"):
                    if child.module:             # `from . import tle` imports orbitview.tle only
                        found.add(target)
                    found.update(f"{target}.{a.name}" for a in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    modules = {module_name(p, root) for p in root.rglob("*.py")}
    return {m for m in found if m in modules and m != here}


def graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    return {module_name(p, root): imports_of(p, root) for p in root.rglob("*.py")}


def upstream_imports(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{m} -> {dep} ({LAYERS[layer(m)][0]} imports {LAYERS[layer(dep)][0]})"
                  for m, deps in edges.items() for dep in deps if layer(dep) > layer(m))


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A loop of imports, or None (a package importing its own modules is no loop)."""
    state: dict[str, int] = {}          # 1: on the current path, 2: done
    path: list[str] = []

    def walk(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for dep in sorted(edges.get(m, ())):
            if dep.startswith(m + "."):
                continue
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep]
            if dep not in state and (loop := walk(dep)):
                return loop
        state[m] = 2
        path.pop()
        return None

    for module in sorted(edges):
        if module not in state and (loop := walk(module)):
            return loop
    return None


def test_every_module_has_a_layer():
    unplaced = [m for m in graph() if (m.split(".")[1] if "." in m else "__init__") not in LAYER_OF]
    assert not unplaced, f"add these to LAYERS (and docs/ARCHITECTURE.md): {unplaced}"


def test_imports_flow_one_way():
    upstream = upstream_imports(graph())
    assert not upstream, "\n".join(upstream)


def test_no_import_cycles():
    loop = find_cycle(graph())
    assert loop is None, "import cycle: " + " -> ".join(loop)


def test_the_checker_catches_an_upstream_import_and_a_cycle(tmp_path):
    """The checker itself, on a made-up package: a track module importing the renderer, and two
    application modules importing each other."""
    root = tmp_path / "orbitview"
    files = {"__init__.py": "", "exhaust.py": "from .render import objects\n", "render/__init__.py": "",
             "render/objects.py": "", "scene.py": "def f():\n    from . import shots\n",
             "shots.py": "from .scene import f\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    edges = graph(root)
    assert upstream_imports(edges) == ["orbitview.exhaust -> orbitview.render (tracks imports render)",
                                      "orbitview.exhaust -> orbitview.render.objects (tracks imports render)"]
    assert find_cycle(edges) in (["orbitview.scene", "orbitview.shots", "orbitview.scene"],
                                 ["orbitview.shots", "orbitview.scene", "orbitview.shots"])


def test_import_orbitview_loads_neither_numba_nor_the_renderer():
    code = ("import sys, orbitview; print(sorted({m.split('.')[0] if m.startswith('numba') else m "
            "for m in sys.modules if m.startswith(('numba', 'orbitview.render', 'orbitview.ascent'))}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]", f"import orbitview loaded {loaded.strip()}"

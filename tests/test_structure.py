"""The package's modules import one another without cycles and use only each other's public names.

Imports are read from the source with `ast` (also those inside functions, which break no import
at load time but still tie two modules together); `if TYPE_CHECKING:` blocks are left out, as
they never run. Every module is also imported on its own in a fresh interpreter.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = "livestream_widget"

#: Known import cycles outside `sources/`, each as the sorted modules of one cycle: being
#: removed (widget.py, messages.py, loading.py and interaction.py are being reshaped). Only add
#: to this list to record a cycle that exists on the main branch; never for new code.
KNOWN_CYCLES: set[tuple[str, ...]] = set()

#: Known imports of a private name from another module, as (importer, module, name): being
#: removed, like KNOWN_CYCLES.
KNOWN_PRIVATE_IMPORTS: set[tuple[str, str, str]] = set()

#: The `sources` package in dependency order: a module imports only modules before it (and the
#: package's `__init__` imports any of them; none imports the `__init__`).
SOURCES_LAYERS = ("batches", "arrow", "frames", "engines", "iterables")


def module_files() -> dict[str, pathlib.Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


class Imports:
    """What each module imports from the package: modules it depends on, and private names."""

    def __init__(self) -> None:
        self.files = module_files()
        self.edges: dict[str, set[str]] = {name: set() for name in self.files}
        self.private: set[tuple[str, str, str]] = set()
        for name, path in self.files.items():
            self._read(name, path)

    def _read(self, name: str, path: pathlib.Path) -> None:
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), str(path))
        aliases: dict[str, str] = {}  # local name -> package module it is bound to
        for node in _import_nodes(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in self.files:
                        self._depend(name, alias.name)
                        if alias.asname:
                            aliases[alias.asname] = alias.name
                continue
            base = self._resolve(name, is_package, node.module, node.level)
            if base not in self.files:
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in self.files:  # `from . import items`: the module itself
                    self._depend(name, submodule)
                    aliases[alias.asname or alias.name] = submodule
                else:
                    self._depend(name, base)
                if _is_private(alias.name) and base != name:
                    self.private.add((name, base, alias.name))
        # `from . import items as _items` then `_items._helper`: a private name all the same.
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _is_private(node.attr)
            ):
                self.private.add((name, aliases[node.value.id], node.attr))

    def _depend(self, importer: str, imported: str) -> None:
        if imported != importer:
            self.edges[importer].add(imported)

    @staticmethod
    def _resolve(importer: str, is_package: bool, module: str | None, level: int) -> str:
        if level == 0:
            return module or ""
        parts = importer.split(".")
        if not is_package:
            parts = parts[:-1]  # a module's `.` is the package holding it
        parts = parts[: len(parts) - (level - 1)]
        return ".".join(parts + ([module] if module else []))

    def cycles(self) -> set[tuple[str, ...]]:
        """The modules of each cycle (strongly connected component of two or more modules)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: set[tuple[str, ...]] = set()

        def connect(v: str) -> None:  # Tarjan's algorithm
            index[v] = low[v] = len(index)
            stack.append(v)
            on_stack.add(v)
            for w in sorted(self.edges[v]):
                if w not in index:
                    connect(w)
                    low[v] = min(low[v], low[w])
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.add(tuple(sorted(component)))

        for v in sorted(self.edges):
            if v not in index:
                connect(v)
        return found


def test_the_check_finds_cycles_and_private_imports(tmp_path, monkeypatch):
    pkg = tmp_path / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from .b import g\n")
    (pkg / "b.py").write_text("from .a import f\nfrom . import c as _c\n_c._hidden\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
    )
    (pkg / "sub" / "__init__.py").write_text("from .x import _y\n")
    (pkg / "sub" / "x.py").write_text("from .. import c\nfrom . import y\n_y = 1\n")
    (pkg / "sub" / "y.py").write_text("import livestream_widget.sub\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    imports = Imports()
    assert imports.edges["livestream_widget.c"] == set()
    assert imports.edges["livestream_widget.sub.x"] == {
        "livestream_widget.c",
        "livestream_widget.sub.y",
    }
    assert imports.cycles() == {
        ("livestream_widget.a", "livestream_widget.b"),
        ("livestream_widget.sub", "livestream_widget.sub.x", "livestream_widget.sub.y"),
    }
    assert imports.private == {
        ("livestream_widget.b", "livestream_widget.c", "_hidden"),
        ("livestream_widget.sub", "livestream_widget.sub.x", "_y"),
    }


def test_no_import_cycles():
    cycles = Imports().cycles()
    assert "livestream_widget.sources" in module_files()  # the check reads this checkout
    new = sorted(cycles - KNOWN_CYCLES)
    assert not new, f"import cycles among modules of {PACKAGE}: {new}"


def test_no_private_names_imported_from_other_modules():
    new = sorted(Imports().private - KNOWN_PRIVATE_IMPORTS)
    assert not new, f"(importer, module, private name) imported across modules: {new}"


def test_sources_modules_import_one_way():
    edges = Imports().edges
    package = f"{PACKAGE}.sources"
    modules = [f"{package}.{name}" for name in SOURCES_LAYERS]
    assert sorted(m for m in module_files() if m.startswith(f"{package}.")) == sorted(modules)
    for i, module in enumerate(modules):
        inside = {m for m in edges[module] if m == package or m.startswith(f"{package}.")}
        assert inside <= set(modules[:i]), f"{module} imports {sorted(inside)}"


def test_every_module_imports_on_its_own():
    # One interpreter, the package forgotten before each module: every module is imported
    # first, as if alone, so an import that only works after another module would fail here.
    script = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "failed = []\n"
        f"for name in {sorted(module_files())!r}:\n"
        f"    for m in [m for m in sys.modules if m == {PACKAGE!r} or m.startswith({PACKAGE + '.'!r})]:\n"
        "        del sys.modules[m]\n"
        "    try:\n"
        "        module = importlib.import_module(name)\n"
        f"        assert module.__file__.startswith({str(ROOT)!r}), module.__file__\n"
        "    except BaseException as e:\n"
        "        failed.append(f'{name}: {type(e).__name__}: {e}')\n"
        "print('\\n'.join(failed))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "", run.stdout

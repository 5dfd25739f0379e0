"""Write docs/api.md from the code: every public name, method and trait, with its docstring or
its `#:` comment. `python scripts/api_reference.py` rewrites it; `--check` fails if it is stale
(tests/test_docs.py runs that, so the reference cannot drift from the code).
"""

from __future__ import annotations

import ast
import inspect
import pathlib
import sys
import textwrap

import traitlets

import livestream_widget as lw

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "api.md"
OURS = "livestream_widget"


def trait_comments(cls: type) -> dict[str, str]:
    """`#:` comment lines above each class-level assignment, by name, for cls and its bases."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not klass.__module__.startswith(OURS):
            continue
        lines, _ = inspect.getsourcelines(klass)
        tree = ast.parse(textwrap.dedent("".join(lines)))
        for node in tree.body[0].body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                above, i = [], node.lineno - 2
                while i >= 0 and lines[i].strip().startswith("#:"):
                    above.insert(0, lines[i].strip()[2:].strip())
                    i -= 1
                if above:
                    found[node.targets[0].id] = " ".join(above)
    return found


def public_methods(cls: type) -> list[tuple[str, object]]:
    out = []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(cls, name)
        fn = attr.fget if isinstance(attr, property) else getattr(attr, "__func__", attr)
        ours = getattr(fn, "__module__", "").startswith(OURS)
        if ours and (callable(fn) or isinstance(attr, property)):
            out.append((name, attr))
    return out


def signature(name: str, attr: object) -> str:
    if isinstance(attr, property):
        return f"`{name}` (property)"
    fn = getattr(attr, "__func__", attr)
    sig = str(inspect.signature(fn)).replace("(self, ", "(").replace("(self)", "()")
    return f"`{name}{sig}`"


def doc(obj: object) -> str:
    text = inspect.getdoc(obj) or ""
    return text if text else "*(no docstring)*"


def section_class(cls: type) -> list[str]:
    out = [f"## `{cls.__name__}`", "", doc(cls), ""]
    init = cls.__dict__.get("__init__")
    if init is not None and getattr(init, "__module__", "").startswith(OURS):
        sig = str(inspect.signature(init)).replace("(self, ", "(")
        out += [f"`{cls.__name__}{sig}`", "", doc(init), ""]
    elif inspect.isclass(cls) and hasattr(cls, "__dataclass_fields__"):
        out += [f"`{cls.__name__}{inspect.signature(cls)}`", ""]
    if issubclass(cls, traitlets.HasTraits):
        comments = trait_comments(cls)
        traits = [n for n in sorted(cls.class_trait_names()) if n in comments and n[0] != "_"]
        if traits:
            out += ["### Traits", "", "| trait | meaning |", "|---|---|"]
            for n in traits:
                meaning = comments[n].replace("|", "\\|")
                out.append(f"| `{n}` | {meaning} |")
            out.append("")
        out += ["### Methods", ""]
    for name, attr in public_methods(cls):
        target = attr.fget if isinstance(attr, property) else getattr(attr, "__func__", attr)
        body = textwrap.indent(doc(target), "  ")
        out += [f"- {signature(name, attr)}", "", body, ""]
    return out


def render() -> str:
    out = [
        "# API reference",
        "",
        "Generated from the code by `python scripts/api_reference.py` (CI checks it is current).",
        "Everything public is re-exported from `livestream_widget`.",
        "",
    ]
    for name in lw.__all__:
        obj = getattr(lw, name)
        if name == "__version__":
            out += ["## `__version__`", "", "The installed package version.", ""]
        elif inspect.isclass(obj):
            out += section_class(obj)
        else:
            out += [f"## `{name}`", "", doc(obj), ""]
    return "\n".join(out).rstrip() + "\n"


def public_names() -> set[str]:
    """Every name the reference must cover: exports, their public methods, StreamWidget traits."""
    names = set(lw.__all__)
    for name in lw.__all__:
        obj = getattr(lw, name)
        if inspect.isclass(obj):
            names |= {m for m, _ in public_methods(obj)}
            if issubclass(obj, traitlets.HasTraits):
                names |= {
                    n
                    for klass in obj.__mro__
                    if klass.__module__.startswith(OURS)
                    for n, v in vars(klass).items()
                    if isinstance(v, traitlets.TraitType) and not n.startswith("_")
                }
    return names


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit("docs/api.md is stale: run python scripts/api_reference.py")
    else:
        OUT.write_text(text)
        print(f"wrote {OUT.relative_to(ROOT)}")

"""Number and table formatting shared by the sections of docs/performance.md."""

from __future__ import annotations

MiB = 2**20
OK, NO = "✓", "✗"


def mib(b: float) -> str:
    return f"{b / MiB:,.1f}"


def rate(r: float) -> str:
    return f"{r:,.0f}"


def ms(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def table(head: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def mark(ok: bool) -> str:
    return OK if ok else NO

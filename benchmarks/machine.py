"""What a run measured on: the machine, the versions, and the commit (run.py puts it in the
report, so a figure can be traced to the code and the conditions that produced it)."""

from __future__ import annotations

import json
import os
import pathlib
import platform

from benchmarks.paths import ROOT


def machine() -> dict:
    import ipykernel
    import jupyter_client
    import numpy
    import pandas
    import pyarrow
    import zmq

    import livestream_widget

    cpu = "unknown"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1]) * 1024
            for line in pathlib.Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except OSError:
        mem = 0
    try:
        arrow_js = json.loads((ROOT / "js/node_modules/apache-arrow/package.json").read_text())[
            "version"
        ]
    except OSError:
        arrow_js = "?"
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyarrow": pyarrow.__version__,
        "arrow_pool": pyarrow.default_memory_pool().backend_name,
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "ipykernel": ipykernel.__version__,
        "jupyter_client": jupyter_client.__version__,
        "pyzmq": f"{zmq.__version__} (libzmq {zmq.zmq_version()})",
        "apache_arrow_js": arrow_js,
        "livestream_widget": str(pathlib.Path(livestream_widget.__file__).parent),
        "loadavg_start": os.getloadavg(),
        "tree": _tree(),
    }


def peer_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("panel", "bokeh", "perspective-python", "ipydatagrid", "matplotlib", "py-spy"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def _tree() -> str:
    """The commit measured, and whether code outside benchmarks/ and docs/ differs from it."""
    import subprocess

    def git(*a: str) -> str:
        # Only trailing newlines: porcelain lines start with a status column that may be " ".
        return subprocess.run(
            ["git", *a], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.rstrip("\n")

    head = git("log", "-1", "--format=%h %s")
    if not head:
        return "not a git checkout"
    dirty = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith(("benchmarks/", "docs/performance", "pyproject.toml"))
    ]
    return f"{head}" + (f" + uncommitted changes in {', '.join(dirty[:5])}" if dirty else "")

"""Run every livestream-widget benchmark, print the tables and write docs/performance.md.

    python benchmarks/run.py            # full run: 1M rows, best of 3 (a few minutes)
    python benchmarks/run.py --quick    # best of 1, no diagnostic run
    python benchmarks/run.py --rows 200000 --repeat 5 --out /tmp/perf.md

Kernel side: benchmarks/kernel_bench.py. Browser side: benchmarks/browser_bench.py.
Raw results also go to benchmarks/results/latest.json (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(HERE), str(ROOT)):  # this tree's livestream_widget, even if another is installed
    if _p not in sys.path:
        sys.path.insert(0, _p)

import browser_bench  # noqa: E402
import kernel_bench  # noqa: E402
from report import KERNEL_RATIO_TARGET, render_doc  # noqa: E402

# --------------------------------------------------------------------------------------------
# Facts


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


def _tree() -> str:
    """The commit measured, and whether code outside benchmarks/ and docs/ differs from it."""
    import subprocess

    def git(*a: str) -> str:
        return subprocess.run(
            ["git", *a], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("log", "-1", "--format=%h %s")
    if not head:
        return "not a git checkout"
    dirty = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith(("benchmarks/", "docs/performance.md"))
    ]
    return f"{head}" + (f" + uncommitted changes in {', '.join(dirty[:5])}" if dirty else "")


def main() -> None:
    p = argparse.ArgumentParser(
        description="Run the livestream-widget benchmarks and write docs/performance.md."
    )
    p.add_argument("--rows", type=int, default=1_000_000, help="rows per run (default 1,000,000)")
    p.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="fresh kernels / page repetitions per figure (default 3)",
    )
    p.add_argument("--quick", action="store_true", help="1 repetition, no diagnostic run")
    p.add_argument(
        "--out", default=str(ROOT / "docs" / "performance.md"), help="markdown report path"
    )
    p.add_argument("--skip-kernel", action="store_true")
    p.add_argument("--skip-browser", action="store_true")
    p.add_argument("--profile", action="store_true", help="always include the kernel profile")
    args = p.parse_args()
    args.argv = sys.argv[1:]
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3

    t0 = time.monotonic()
    facts = machine()
    if not facts["livestream_widget"].startswith(str(ROOT)):
        sys.exit(f"livestream_widget is imported from {facts['livestream_widget']}, not {ROOT}")
    print(f"livestream-widget benchmarks: {args.rows:,} rows, best of {args.repeat}", flush=True)
    k = b = prof = None
    if not args.skip_kernel:
        print("kernel side", flush=True)
        contenders = list(kernel_bench.CONTENDERS) + (
            [] if args.quick else list(kernel_bench.DIAGNOSTICS)
        )
        k = kernel_bench.run(args.rows, args.repeat, contenders, log=lambda s: print(s, flush=True))
        missed = any(
            k[c]["rows_per_s"] < KERNEL_RATIO_TARGET * k[kernel_bench.FLOOR]["rows_per_s"]
            for c in kernel_bench.CONTENDERS
            if c != kernel_bench.FLOOR
        )
        if missed or args.profile:
            import profile_kernel

            print("kernel profile" + (" (rows/s target missed)" if missed else ""), flush=True)
            prof = profile_kernel.profile(args.rows, top=12)
    if not args.skip_browser:
        print("browser side", flush=True)
        b = browser_bench.run(args.rows, args.repeat, log=lambda s: print(s, flush=True))
        facts["chromium"] = b["chromium"]
    facts["loadavg_end"] = os.getloadavg()
    elapsed = time.monotonic() - t0

    doc = render_doc(facts, k, b, prof, args, elapsed)
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(doc)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(
        json.dumps(
            {"facts": facts, "kernel": k, "browser": b, "profile": prof}, indent=1, default=str
        )
    )
    print()
    print(doc.split("## How measured")[0])
    print(f"wrote {out} and {results / 'latest.json'} in {elapsed / 60:.1f} min")


if __name__ == "__main__":
    main()

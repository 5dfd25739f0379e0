"""Run every livestream-widget benchmark, print the tables and write docs/performance.md
(with its plots, docs/performance_*.png). From the repo root:

    pip install -e '.[bench]'              # the peers (Panel, Bokeh, Perspective, ipydatagrid)
                                           # and matplotlib; py-spy for the server profile
    python -m benchmarks.run               # full run: 1M rows, best of 3 (~12 minutes)
    python -m benchmarks.run --quick       # best of 1, no diagnostics, smaller caps (~5 minutes)
    python -m benchmarks.run --no-peers    # livestream-widget and its floors only
    python -m benchmarks.run --skip-soak   # without the 10M-row soak in JupyterLab (~1 minute)
    python -m benchmarks.run --rows 200000 --repeat 5 --out /tmp/perf.md
    python -m benchmarks.run --only lab-peers wire   # some parts only (see --only)
    python -m benchmarks.run --only lab-peers --peer-rows 20000 --data market

(`python benchmarks/run.py ...` does the same: it restarts itself as the module.) Each part also
runs alone and prints JSON, e.g. `python -m benchmarks.kernel.bench --rows 100000`.

Where each part lives (benchmarks/ is a package; the repo root must be on sys.path, as it is
with -m from there, so `livestream_widget` and `tests.e2e.harness` are this checkout's):
- kernel/: the kernel side, bench.py (fresh kernels: session.py, started by unbounded_kernel.py;
  their cells: cells.py; the data: data.py; the raw floor: floor.py; peers: peers.py; cProfile
  of the loop: profile.py);
- lab/: the browser side in JupyterLab, bench.py (session: session.py; notebook: cells.py;
  profiled run: profile.py), the soak, soak.py, and the browser-side peers, peers.py;
- kernel/wire.py: wire bytes per row per data set (kernel/data.py) and codec;
- browser/: the front end alone in a bare page, bench.py (bench.js, frames.js, index.html;
  Chromium: page.py, also used by lab/);
- report/: the report, doc.py and its sections; machine facts: machine.py; paths: paths.py.
Raw results also go to benchmarks/results/latest.json (not committed).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import sys
import time
import traceback

if __name__ == "__main__" and not __package__:
    # Run as a file (`python benchmarks/run.py`): sys.path has benchmarks/, not the repo root, so
    # the package imports below would fail. Restart as `python -m benchmarks.run` with the root
    # on PYTHONPATH instead of editing sys.path.
    _root = str(pathlib.Path(__file__).resolve().parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_root, os.environ.get("PYTHONPATH")]))
    os.execv(sys.executable, [sys.executable, "-m", "benchmarks.run", *sys.argv[1:]])

from benchmarks.browser import bench as browser_bench
from benchmarks.kernel import bench as kernel_bench
from benchmarks.kernel import peers
from benchmarks.kernel import wire as wire_bench
from benchmarks.kernel.data import DATASETS
from benchmarks.lab import bench as lab_bench
from benchmarks.lab import peers as lab_peers
from benchmarks.lab import soak
from benchmarks.machine import machine, peer_versions
from benchmarks.paths import HERE, ROOT
from benchmarks.report.doc import render_doc
from benchmarks.report.peers import peers_plot
from benchmarks.report.plots import plots
from benchmarks.report.soak import soak_plot
from benchmarks.report.targets import KERNEL_RATIO_TARGET


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
    p.add_argument(
        "--quick",
        action="store_true",
        help="1 repetition, no diagnostics or profiles, Panel without rollover capped at 200k",
    )
    p.add_argument(
        "--peers",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure the peers too (default; needs pip install -e '.[bench]')",
    )
    p.add_argument(
        "--out", default=str(ROOT / "docs" / "performance.md"), help="markdown report path"
    )
    p.add_argument("--skip-kernel", action="store_true")
    p.add_argument("--skip-browser", action="store_true", help="no browser side at all")
    p.add_argument("--skip-lab", action="store_true", help="no JupyterLab measurements")
    p.add_argument("--skip-soak", action="store_true", help="no soak (benchmarks/lab/soak.py)")
    p.add_argument(
        "--soak-rows",
        type=int,
        default=None,
        help=f"rows the soak streams (default {soak.ROWS:,}; {soak.QUICK_ROWS:,} with --quick)",
    )
    p.add_argument("--profile", action="store_true", help="always include the kernel profile")
    p.add_argument(
        "--skip-lab-peers", action="store_true", help="no browser-side peers (lab/peers.py)"
    )
    p.add_argument("--skip-wire", action="store_true", help="no wire bytes (kernel/wire.py)")
    p.add_argument(
        "--peer-rows",
        type=int,
        default=None,
        help="rows per browser-side peer (default 50,000: ~4.5 min on 3 data sets; 20,000 quick)",
    )
    p.add_argument(
        "--datagrid-rows",
        type=int,
        default=lab_peers.DATAGRID_CAP,
        help=f"ipydatagrid's cap among the browser-side peers (default {lab_peers.DATAGRID_CAP:,})",
    )
    p.add_argument(
        "--data",
        nargs="+",
        choices=list(DATASETS),
        default=list(DATASETS),
        help="data sets for the JupyterLab e2e and the browser-side peers (default all)",
    )
    # "browser" is the bare page (browser/bench.py); "lab" JupyterLab's e2e (lab/bench.py).
    parts = ["kernel", "lab", "soak", "browser", "lab-peers", "wire"]
    p.add_argument(
        "--only",
        nargs="+",
        choices=parts,
        help="run only these parts (the others as if skipped)",
    )
    args = p.parse_args()
    args.skip_page = False
    if args.only:
        for part in parts:
            if part not in args.only:
                setattr(args, "skip_" + part.replace("-", "_"), True)
        args.skip_page, args.skip_browser = args.skip_browser, False
    args.argv = sys.argv[1:]
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3

    t0 = time.monotonic()
    facts = machine()
    missing = []
    names = []
    if args.peers:
        for name in peers.PEERS:
            mod = peers.requirement(name)
            if importlib.util.find_spec(mod) is None:
                missing.append(f"{name} (no `{mod}`: pip install -e '.[bench]')")
            else:
                names.append(name)
        facts["peer_versions"] = peer_versions()
    facts["peers_missing"] = missing
    if not facts["livestream_widget"].startswith(str(ROOT)):
        sys.exit(f"livestream_widget is imported from {facts['livestream_widget']}, not {ROOT}")
    print(f"livestream-widget benchmarks: {args.rows:,} rows, best of {args.repeat}", flush=True)
    k = b = lab = prof = prof1 = matrix = soaked = lab_peered = wired = None
    facts["failures"] = []
    log = lambda s: print(s, flush=True)  # noqa: E731
    if not args.skip_kernel:
        print("kernel side", flush=True)
        cases = kernel_bench.plan(args.rows, args.quick, names, diagnostics=not args.quick)
        results = kernel_bench.run_cases(cases, args.repeat, log, facts["failures"])
        matrix = [r for r in results if r]
        k = {
            c.contender: r
            for c, r in zip(cases, results, strict=True)
            if r
            and (c.batch, c.rows) == (1000, args.rows)
            and (c.contender in kernel_bench.CONTENDERS or c.contender in kernel_bench.DIAGNOSTICS)
        }
        if kernel_bench.FLOOR not in k or kernel_bench.LSW not in k:
            sys.exit("livestream-widget or the raw floor could not be measured: see the log")
        missed = any(
            k[c]["rows_per_s"] < KERNEL_RATIO_TARGET * k[kernel_bench.FLOOR]["rows_per_s"]
            for c in kernel_bench.CONTENDERS
            if c != kernel_bench.FLOOR
        )
        if missed or args.profile:
            from benchmarks.kernel import profile as profile_kernel

            print("kernel profile" + (" (rows/s target missed)" if missed else ""), flush=True)
            prof = profile_kernel.profile(args.rows, top=12)
        if not args.quick:
            from benchmarks.kernel import profile as profile_kernel

            print("kernel profile, batches of 1", flush=True)
            prof1 = profile_kernel.profile(10_000, top=12, batch=1)

    def attempt(what: str, fn):
        # One part failing (the widget under test changes under its benchmarks) must not lose
        # the others: the report says what could not be measured and why.
        try:
            return fn()
        except Exception as e:
            traceback.print_exc()
            facts["failures"].append(f"{what}: {type(e).__name__}: {str(e)[:300]}")
            return None

    if not args.skip_browser:
        if not args.skip_lab:
            print("browser side, JupyterLab", flush=True)
            lab = attempt(
                "browser side in JupyterLab (benchmarks/lab/bench.py)",
                lambda: lab_bench.run(
                    args.rows, args.repeat, profile=not args.quick, log=log, datasets=args.data
                ),
            )
            if lab:
                facts["chromium"] = lab["chromium"]
                facts["jupyterlab"] = lab["jupyterlab"]
        if not args.skip_soak and (args.only or not args.skip_lab):
            n = args.soak_rows or (soak.QUICK_ROWS if args.quick else soak.ROWS)
            print(f"soak, JupyterLab: {n:,} rows, limit=-{soak.LIMIT:,}", flush=True)
            soaked = attempt(
                "soak in JupyterLab (benchmarks/lab/soak.py)", lambda: soak.run(n, log=log)
            )
            # The same with acknowledgements read only after the cell: what hosts without
            # kernel subshells give, and the backlog the Jupyter server holds there.
            print("soak, JupyterLab, commsOverSubshells disabled", flush=True)
            unpaced = attempt(
                "soak with commsOverSubshells disabled (benchmarks/lab/soak.py)",
                lambda: soak.run(n, log=log, comms_over_subshells="disabled"),
            )
            if soaked and unpaced:
                soaked["unpaced"] = unpaced
        if not args.skip_lab_peers:
            n = args.peer_rows or (20_000 if args.quick else 50_000)
            print(f"browser-side peers, JupyterLab: {n:,} rows", flush=True)
            lab_peered = attempt(
                "browser-side peers in JupyterLab (benchmarks/lab/peers.py)",
                lambda: lab_peers.run(n, args.data, min(n, args.datagrid_rows), log=log),
            )
            if lab_peered:
                facts["chromium"] = lab_peered["chromium"]
                facts["jupyterlab"] = lab_peered["jupyterlab"]
        if not args.skip_page:
            print("browser side, front end in a bare page", flush=True)
            b = attempt(
                "browser side in a bare page (benchmarks/browser/bench.py)",
                lambda: browser_bench.run(args.rows, args.repeat, log=log),
            )
            if b:
                facts["chromium"] = b["chromium"]
    if not args.skip_wire:
        print("wire bytes per data set and codec", flush=True)
        wired = attempt("wire bytes (benchmarks/kernel/wire.py)", lambda: wire_bench.measure())
    facts["loadavg_end"] = os.getloadavg()
    elapsed = time.monotonic() - t0

    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    images = plots(matrix, lab, out.parent, out.stem) if matrix else []
    if soaked:
        soaked["image"] = soak_plot(soaked, out.parent, out.stem)
    if lab_peered:
        lab_peered["image"] = peers_plot(lab_peered, out.parent, out.stem)
    doc = render_doc(
        facts,
        k,
        b,
        prof,
        args,
        elapsed,
        matrix=matrix,
        lab=lab,
        images=images,
        prof1=prof1,
        soak=soaked,
        lab_peers=lab_peered,
        wire=wired,
    )
    out.write_text(doc)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.json").write_text(
        json.dumps(
            {
                "facts": facts,
                "kernel": k,
                "matrix": matrix,
                "lab": lab,
                "browser": b,
                "profile": prof,
                "profile_batch1": prof1,
                "soak": soaked,
                "lab_peers": lab_peered,
                "wire": wired,
            },
            indent=1,
            default=str,
        )
    )
    print()
    print(doc.split("## How measured")[0])
    print(f"wrote {out} and {results / 'latest.json'} in {elapsed / 60:.1f} min")


if __name__ == "__main__":
    main()

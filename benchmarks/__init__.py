"""livestream-widget's benchmarks: `python -m benchmarks.run` from the repo root (see run.py).

kernel/: the kernel side; lab/: in real JupyterLab (and the soak); browser/: the front end alone
in a bare page; report/: docs/performance.md. Nothing is imported here, so a benchmark kernel
can import `benchmarks.kernel.data` with numpy and pandas alone.
"""

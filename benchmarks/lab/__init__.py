"""Browser side in real JupyterLab and headless Chromium (bench.py), and the soak (soak.py)."""

"""The front end alone in a bare page (bench.py, bench.js), and headless Chromium (page.py)."""

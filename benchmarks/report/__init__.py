"""docs/performance.md from the results: doc.py, and a module per section."""

"""Kernel side: how fast rows leave a real ipykernel, and what it keeps (bench.py)."""

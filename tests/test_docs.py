"""The API reference covers every public name and is generated from the current code."""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import api_reference  # noqa: E402


def test_api_reference_is_current():
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_reference.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr


def test_every_public_name_is_documented():
    text = (ROOT / "docs" / "api.md").read_text()
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)[`(]", text))
    names = api_reference.public_names()
    assert {"StreamWidget", "stream", "insert", "paginate", "selected", "sort"} <= names
    missing = sorted(names - documented)
    assert not missing, f"not in docs/api.md: {missing}"
    assert "*(no docstring)*" not in text

"""mypy --strict (package and typing_tests/) and ruff (lint and format), as tests."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_mypy_strict_on_the_package_and_the_typing_tests():
    out = _tool("mypy", "--strict", "--no-incremental")  # files: pyproject.toml [tool.mypy]
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_lint():
    out = _tool("ruff", "check", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format():
    out = _tool("ruff", "format", "--check", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_stub_names_everything_the_cdef_declares():
    """sockffi/_sockffi.pyi lists every function and constant the cdef (csrc/_sockffi.cdef) declares."""
    import re

    spec = importlib.util.spec_from_file_location("build_ffi", ROOT / "build_ffi.py")
    assert spec and spec.loader
    build_ffi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_ffi)
    cdef = build_ffi.CDEF
    declared = set(re.findall(r"#define (\w+)", cdef))
    declared |= set(re.findall(r"^[\w ]+? (sf_\w+)\(", cdef, re.M))
    assert len(declared) > 40
    stub = (ROOT / "sockffi" / "_sockffi.pyi").read_text()
    for name in sorted(declared):
        assert f" {name}" in stub, f"{name} is in the cdef but not in _sockffi.pyi"

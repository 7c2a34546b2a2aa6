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


def _public_objects() -> list[tuple[str, object]]:
    """Every public function, class, method and property of sockffi's modules."""
    import inspect

    import sockffi
    import sockffi.errors
    import sockffi.net
    import sockffi.posix
    import sockffi.testing
    import sockffi.trace
    import sockffi.types

    found: list[tuple[str, object]] = []
    for module in (sockffi, sockffi.errors, sockffi.net, sockffi.posix, sockffi.trace, sockffi.testing):
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            found.append((f"{module.__name__}.{name}", obj))
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if isinstance(value, property):
                        value = value.fget
                    if inspect.isfunction(value):
                        found.append((f"{module.__name__}.{name}.{attr}", value))
    return found


def test_every_annotation_resolves_at_run_time():
    """typing.get_type_hints() (what pydantic, sphinx and beartype read) works on
    every public function, class, method and property."""
    import typing

    objects = _public_objects()
    assert len(objects) > 150
    failed = []
    for name, obj in objects:
        try:
            typing.get_type_hints(obj)
        except Exception as exc:
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
    assert not failed, "\n".join(failed)

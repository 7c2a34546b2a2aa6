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


def test_the_generated_stubs_are_current():
    """The typing stubs follow from csrc/ and the catalogue (`python build_ffi.py
    --stubs`): a committed one that differs is stale."""
    from conftest import build_ffi

    made = build_ffi()
    for path, generate in made.STUBS.items():
        assert path.read_text() == generate(), f"{path.name} is stale: run `python build_ffi.py --stubs`"
    stub = (ROOT / "sockffi" / "_sockffi.pyi").read_text()
    import re

    for name in set(re.findall(r"#define (\w+) \.\.\.", made.cdef())) | {n for _, n, _ in made.exported()}:
        assert f" {name}" in stub, name


def test_every_c_function_python_calls_is_exported_once():
    """The seam's C calls are exactly the SF_API definitions it names, and the
    one-crossing composed calls the stub marks are the seam's."""
    from conftest import build_ffi

    from sockffi import _seam

    made = build_ffi()
    exported = [name for _, name, _ in made.exported()]
    assert len(exported) == len(set(exported))
    assert {f"sf_{n}" for n in _seam.NAMES} <= set(exported)
    assert made.ONE_CROSSING == _seam.ONE_CROSSING


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

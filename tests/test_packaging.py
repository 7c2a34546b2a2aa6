"""The sdist and the wheel, each installed into a fresh virtual environment and used.

One test builds both (python -m build) and installs each into its own venv: it
takes tens of seconds and reaches PyPI for the build requirements, so it runs
as a single test that xdist schedules beside the rest.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SMOKE = """
import sys, sockffi
assert sys.prefix in sockffi.__file__, sockffi.__file__
with sockffi.listen_tcp(("127.0.0.1", 0), reuse_address=True) as s:
    try:
        sockffi.listen_tcp(s.address)
    except sockffi.AddressInUse as e:
        assert isinstance(e, sockffi.BindError) and e.syscall == "bind"
    else:
        raise SystemExit("no AddressInUse")
print("ok", sockffi.__version__)
"""

needs_build = pytest.mark.skipif(
    not (ROOT / "pyproject.toml").exists() or (shutil.which("cc") is None and shutil.which("gcc") is None),
    reason="needs the source tree and a C compiler",
)


def _venv(where: Path) -> Path:
    # Without pip (Debian's python3 may lack ensurepip): this Python's pip installs into it.
    venv.EnvBuilder(with_pip=False, clear=True).create(where)
    return where / ("Scripts" if os.name == "nt" else "bin")


def _run(*argv: object, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
        **kw,  # type: ignore[arg-type]
    )


@needs_build
def test_sdist_and_wheel_install_into_fresh_venvs_and_work(tmp_path):
    dist = tmp_path / "dist"
    built = _run(sys.executable, "-m", "build", "--outdir", dist, ROOT)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    assert "-cp39-abi3-" in wheel.name or "t-" in wheel.name  # stable ABI, except free-threaded builds
    import zipfile

    modules = [n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("sockffi/_sockffi.") and n[-4:] != ".pyi"]
    if "-abi3-" in wheel.name and os.name != "nt":
        # The one name every claimed CPython loads, whichever built it.
        assert modules == ["sockffi/_sockffi.abi3.so"], modules
    for artifact in (wheel, sdist):
        bin_dir = _venv(tmp_path / f"venv-{artifact.suffix}")
        installed = _run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--quiet", artifact)
        assert installed.returncode == 0, installed.stderr[-3000:]
        smoke = _run(bin_dir / "python", "-c", SMOKE, cwd=tmp_path)
        assert smoke.returncode == 0 and smoke.stdout.startswith("ok"), smoke.stdout + smoke.stderr
        cli = _run(bin_dir / "sockffi", "explain", "EADDRINUSE", cwd=tmp_path)
        assert cli.returncode == 0 and "AddressInUse" in cli.stdout, cli.stderr


@needs_build
def test_no_compiler_gives_a_plain_message(tmp_path):
    # Build a copy as pip would, with a compiler that does not exist.
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".git", "*.so", "build", "dist", "*.egg-info", "__pycache__", ".*cache"),
    )
    env = {**os.environ, "CC": "/nonexistent/cc", "LDSHARED": "/nonexistent/cc -shared"}
    out = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", tmp_path / "out", src, env=env)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "needs a C compiler" in text and "apt-get install gcc python3-dev" in text, text[-2000:]


def test_a_type_checker_sees_the_readme_install_from_another_directory(tmp_path):
    """The README's editable install puts the checkout on sys.path (a .pth
    file), which mypy reads; an import hook, setuptools' default, it cannot."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed")
    (tmp_path / "uses.py").write_text("import sockffi\n\nreveal_type(sockffi.listen_tcp)\n")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "uses.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert "Cannot find implementation" not in done.stdout, done.stdout
    assert "Server[" in done.stdout and done.returncode == 0, done.stdout

"""The CI scripts themselves: what they would do again on a second run."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import LINUX

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not LINUX, reason="bash scripts")
def test_the_windows_setup_reuses_what_it_already_unpacked(tmp_path):
    """A second run finds python.exe (mode 0644, as unzipped) and the Windows
    cffi it installed, and fetches neither again."""
    win = tmp_path / "root"
    (win / "py311" / "Lib" / "site-packages").mkdir(parents=True)
    exe = win / "py311" / "python.exe"
    exe.write_bytes(b"MZ")
    exe.chmod(0o644)
    (win / "prefix").mkdir()
    (win / "prefix" / "system.reg").write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    for tool in ("wine", "wineboot", "x86_64-w64-mingw32-gcc"):
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / tool).chmod(0o755)
    host = bin_dir / "hostpy"
    host.write_text(f'#!/bin/sh\necho "$@" >> {calls}\ncase "$*" in *"import cffi"*) echo 2.0.0 ;; *) exit 0 ;; esac\n')
    host.chmod(host.stat().st_mode | stat.S_IXUSR)
    (win / "py311" / "Lib" / "site-packages" / ".sockffi-cffi-2.0.0").write_text("")
    env = {**os.environ, "WINTEST_ROOT": str(win), "HOSTPY": str(host), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "windows" / "setup.sh")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    asked = calls.read_text()
    assert "download" not in asked and "install" not in asked, asked

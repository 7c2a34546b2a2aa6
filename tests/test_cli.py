"""The sockffi command, run for real in a subprocess, and the trace hook under it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from conftest import LINUX, ROOT

import sockffi
import sockffi.trace
from sockffi import cli

ANSI = re.compile(r"\x1b\[")


def run(
    *args: str, env: dict | None = None, timeout: float = 60, cwd: os.PathLike[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sockffi", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )


def start(*args: str) -> subprocess.Popen[str]:
    """The CLI running in the background, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "sockffi", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def fits_80(text: str) -> None:
    for line in text.splitlines():
        assert len(line) <= 80, f"{len(line)} columns: {line!r}"


def test_listen_success_prints_each_syscall_in_order():
    r = run("listen", "127.0.0.1:0", "--reuse-address")
    assert r.returncode == 0, r.stderr
    calls = re.findall(r"µs  (\w+)\(", r.stdout)
    assert calls == ["socket", "setsockopt", "bind", "listen", "getsockname", "close"]
    assert "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3" in r.stdout
    assert "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0" in r.stdout
    assert re.search(r"listening on 127\.0\.0\.1:\d+ \(fd 3\)", r.stdout)
    assert not ANSI.search(r.stdout)  # not a TTY
    fits_80(r.stdout)


def test_listen_ipv6_and_unix(shortdir):
    r = run("listen", "[::1]:0")
    assert r.returncode == 0 and re.search(r"listening on \[::1\]:\d+", r.stdout)
    path = os.path.join(shortdir, "cli.sock")
    r = run("listen", path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"listening on {path}" in r.stdout
    assert "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3" in r.stdout


def test_a_held_port_makes_the_second_listen_fail_with_the_full_explanation():
    holder = start("listen", "127.0.0.1:0", "--hold", "60")
    try:
        port = None
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            line = holder.stdout.readline()  # type: ignore[union-attr]
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = m and m.group(1)
        assert port, "the holder never listened"
        r = run("listen", f"127.0.0.1:{port}")
        assert r.returncode == cli.EXIT_CODES["AddressInUse"] == 12
        out, err = r.stdout, r.stderr
        assert re.search(rf"bind\(3, \{{AF_INET, 127\.0\.0\.1:{port}\}}\)\s+= -1 EADDRINUSE", out)
        assert "close(3) = 0" in out
        # The calls on stdout; what went wrong, and why, on stderr.
        assert "failed" not in out
        assert "listen_tcp failed in bind(2): AddressInUse" in err
        assert f"address   127.0.0.1:{port}" in err
        assert "BindError, posix.ListenError" in err
        assert "EADDRINUSE (98)" in err if LINUX else "EADDRINUSE" in err
        assert "meaning" in err and "hint" in err and "`ss -ltnp`" in err
        fits_80(out)
        fits_80(err)
    finally:
        holder.send_signal(signal.SIGINT)  # Ctrl-C releases the socket
        out, _ = holder.communicate(timeout=30)
    assert holder.returncode == 0
    assert "close(3) = 0" in out


@pytest.mark.parametrize(
    "address, name, status",
    [("198.51.100.1:0", "AddressNotAvailable", 13), ("/nonexistent-sockffi/dir/s", "FileNotFound", 17)],
)
def test_other_real_failures_have_stable_exit_codes(address, name, status):
    r = run("listen", address)
    assert r.returncode == status == cli.EXIT_CODES[name]
    assert f"failed in bind(2): {name}" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("listen", "localhost:80"),
        ("listen", "127.0.0.1:99999"),
        ("listen", "8080"),
        ("listen", "::1"),
        ("listen", "localhost"),
        ("listen", "not-an-address"),
        ("listen", " "),
        ("listen", "relative.sock"),
        ("listen", "@"),
        ("listen", "unix:"),
        ("listen", "127.0.0.1:0", "--hold", "-5"),
        ("listen", "127.0.0.1:0", "--hold", "nan"),
        ("listen", "127.0.0.1:0", "--hold", "inf"),
        ("listen", "127.0.0.1:0", "--backlog", "-1"),
        ("listen", "127.0.0.1:0", "--backlog", "1e3"),
        ("listen", "/tmp/x.sock", "--reuse-port"),
        ("explain", "nonsense"),
        ("explain", "0"),
        ("explain", "4000"),
        ("explain", "99999999999999999999"),
        ("explain", "²"),
        ("errors", "ioctl"),
        ("connect", "localhost:80"),
        ("connect", "127.0.0.1:1", "--timeout", "0"),
        ("reproduce",),
        ("reproduce", "NoSuchError"),
        ("nope",),
        (),
    ],
)
def test_every_misuse_is_one_clear_line_and_exit_2_and_never_a_file(args, tmp_path):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_hold_is_checked_before_any_syscall():
    with sockffi.listen_tcp(("127.0.0.1", 0)) as held:
        # Had it bound first, this would be AddressInUse (12), not a usage error.
        r = run("listen", f"127.0.0.1:{held.address[1]}", "--hold", "-1")
    assert r.returncode == 2 and "socket(" not in r.stdout


@pytest.mark.parametrize("path", ["./rel.sock", "unix:rel2.sock"])
def test_paths_that_look_like_paths_are_unix_sockets(path, tmp_path):
    r = run("listen", path, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "socket(AF_UNIX" in r.stdout and "listening on" in r.stdout
    assert list(tmp_path.iterdir()) == []  # close() removed the file it made


def test_hold_forever_releases_on_ctrl_c_without_a_traceback():
    proc = start("listen", "127.0.0.1:0", "--hold", "forever")
    lines = []
    while not lines or "until Ctrl-C" not in lines[-1]:
        lines.append(proc.stdout.readline())  # type: ignore[union-attr]
        assert lines[-1] and len(lines) < 20, lines
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err
    assert "close(3) = 0" in out


def test_ctrl_c_right_after_listening_never_prints_a_traceback():
    import random

    rnd = random.Random(3)
    for _ in range(12):
        proc = start("listen", "127.0.0.1:0", "--hold", "0.05")
        while "listening on" not in proc.stdout.readline():  # type: ignore[union-attr]
            pass
        time.sleep(rnd.uniform(0, 0.08))  # during the hold, the close, or the exit
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err
        assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, err)


def test_output_that_cannot_be_written_is_one_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "sockffi", "errors"], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert r.returncode == 74 and r.stderr.count("\n") == 1 and "No space left" in r.stderr
    r = subprocess.run(  # stdout closed
        [sys.executable, "-m", "sockffi", "errors"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert r.returncode == 0 and r.stderr == ""
    closed = subprocess.run(
        ["sh", "-c", f"'{sys.executable}' -m sockffi errors >&-"], capture_output=True, text=True, check=False
    )
    assert "Traceback" not in closed.stderr
    piped = subprocess.run(
        ["sh", "-c", f"'{sys.executable}' -m sockffi errors | head -1"], capture_output=True, text=True, check=False
    )
    assert piped.stdout.startswith("socket(2)") and "Traceback" not in piped.stderr


@pytest.mark.parametrize("command, lines", [("listen 127.0.0.1:0", 1), ("demo", 2), ("listen 127.0.0.1:0 --hold 0", 3)])
def test_traced_output_into_a_closed_pipe_ends_quietly(command, lines):
    """The trace lines themselves meet the closed pipe: no observer warning, no
    traceback, status 0 (the reader went away)."""
    for _ in range(5):
        piped = subprocess.run(
            ["sh", "-c", f"'{sys.executable}' -W error -m sockffi {command} | head -{lines}"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert piped.stderr == "", piped.stderr
        assert len(piped.stdout.splitlines()) == lines


def test_the_terminal_width_is_used_and_commands_are_never_broken():
    wide = run("errors", env={"COLUMNS": "120"}).stdout
    assert max(len(line) for line in wide.splitlines()) > 80
    assert all(len(line) <= 120 for line in wide.splitlines())
    narrow = run("explain", "AddressInUse", env={"COLUMNS": "50"}).stdout
    assert "`ss -ltnp`" in narrow
    assert all(len(line) <= 50 for line in narrow.splitlines())


def test_help_version_and_errors_close():
    assert run("--version").stdout.strip() == f"sockffi {sockffi.__version__}"
    text = run("listen", "--help").stdout
    assert "listen(2)'s backlog" in text and "forever" in text
    assert "only this call" in run("errors", "--help").stdout
    r = run("errors", "close")
    assert r.returncode == 0 and "EBADF 9" in r.stdout and "ignored" in r.stdout
    assert "close" in json.loads(run("errors", "close", "--json").stdout)


def test_the_errors_table_keeps_its_columns():
    out = run("errors").stdout
    assert not re.search(r"[A-Za-z](Linux|macOS|Windows) ", out)
    starts = {line.index("Linux") for line in out.splitlines() if line.startswith("  ") and " Linux " in line}
    assert len(starts) == 1, starts


def test_colour_only_on_a_tty_and_never_with_no_color(monkeypatch):
    import io

    class TTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.Style(TTY()).on
    assert not cli.Style(io.StringIO()).on
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.Style(TTY()).on


def test_errors_table_and_json():
    r = run("errors")
    assert r.returncode == 0
    fits_80(r.stdout)
    for syscall in ("socket", "bind", "listen", "setsockopt", "getsockname"):
        assert f"{syscall}(2) raises" in r.stdout
    assert "WSAEADDRINUSE 10048" in r.stdout and "EADDRINUSE 98" in r.stdout and "EADDRINUSE 48" in r.stdout
    data = json.loads(run("errors", "--json").stdout)
    names = [e["name"] for e in data["errors"]]
    assert names == sorted(sockffi.errors.ERROR_NAMES)
    listen = data["sets"]["posix.ListenError"]
    assert listen["members"][0] == "AddressInUse" and listen["caller_bugs"]["linux"] == ["EBADF 9"]
    only_bind = json.loads(run("errors", "bind", "--json").stdout)
    assert list(only_bind["sets"]) == ["BindError"]
    assert "TimeoutTooBig" not in [e["name"] for e in only_bind["errors"]]


@pytest.mark.parametrize("what", ["EADDRINUSE", "98", "WSAEADDRINUSE", "10048", "48"])
def test_explain_a_code_for_every_syscall(what):
    r = run("explain", what)
    assert r.returncode == 0
    fits_80(r.stdout)
    assert re.search(r"bind\s+AddressInUse", r.stdout)
    assert re.search(r"listen\s+AddressInUse", r.stdout)
    assert re.search(r"socket\s+Unexpected", r.stdout)


def test_explain_knows_every_platforms_numbers_aliases_and_sets():
    r = run("explain", "48")
    assert "ELNRNG (Linux 48)" in r.stdout and "EADDRINUSE (macOS 48)" in r.stdout
    assert "EADDRINUSE (Linux 98, macOS 48)" in run("explain", "EADDRINUSE").stdout
    assert "(POSIX" not in run("explain", "EADDRINUSE").stdout
    r = run("explain", "EWOULDBLOCK")
    assert r.returncode == 0 and "EAGAIN" in r.stdout
    for name in ("BindError", "ListenError", "posix.ListenError", "CallerError", "GetSockNameError"):
        r = run("explain", name)
        assert r.returncode == 0, (name, r.stderr)
    assert "AlreadyBound" in run("explain", "BindError").stdout
    unexpected = run("explain", "Unexpected").stdout
    assert "``" not in unexpected and ":class:" not in unexpected


def test_explain_a_name_and_a_caller_bug():
    r = run("explain", "SocketNotBound")
    assert "Windows WSAEINVAL 10022" in r.stdout and "GetSockNameError" in r.stdout
    r = run("explain", "EBADF")
    assert re.search(r"bind\s+CallerError", r.stdout)


def test_demo_is_the_readme_story():
    r = run("demo")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "listening on 127.0.0.1:" in r.stdout
    assert "failed in bind(2): AddressInUse" in r.stdout
    fits_80(r.stdout)


# ------------------------------------------------------------------ the hook


# ------------------------------------------------------------------ reproduce


def test_reproduce_list_says_yes_or_why_not_for_all_26():
    from sockffi.cli import _reproduce

    r = run("reproduce", "--list")
    assert r.returncode == 0
    for name in sockffi.errors.ERROR_NAMES:
        assert re.search(rf"^  {name}\s+(yes|no): ", r.stdout, re.M), name
    count = int(r.stdout.split()[0])
    assert count == sum(recipe.available(name)[0] for name, recipe in _reproduce.RECIPES.items())
    if LINUX and ROOT:
        assert count >= 18


@pytest.mark.parametrize("name", sockffi.errors.ERROR_NAMES)
def test_reproduce_makes_the_error_happen_for_real(name):
    from sockffi.cli import _reproduce

    ok, why = _reproduce.RECIPES[name].available(name)
    if not ok:
        r = run("reproduce", name)
        assert r.returncode == 1 and "cannot be reproduced here" in r.stderr and why in r.stderr
        pytest.skip(f"{name}: {why}")
    r = run("reproduce", name)
    assert r.returncode == cli.EXIT_CODES[name], r.stdout + r.stderr
    assert f"reproducing {name}" in r.stdout and f": {name}" in r.stdout
    assert re.search(r"µs  \w+\(", r.stdout), "the syscalls are shown as they happen"
    assert "-1 E" in r.stdout or "-1 WSA" in r.stdout


def _reproduce_via() -> list[tuple[str, str]]:
    from sockffi.cli import _reproduce

    return list(_reproduce.VIA)


@pytest.mark.parametrize("name, via", [pytest.param(*key, id="-".join(key)) for key in _reproduce_via()])
def test_reproduce_via_a_data_call_makes_it_happen_there(name, via):
    from sockffi.cli import _reproduce

    ok, why = _reproduce.VIA[(name, via)].available(name)
    if not ok:
        pytest.skip(f"{name} --via {via}: {why}")
    r = run("reproduce", name, "--via", via)
    assert r.returncode == cli.EXIT_CODES[name], r.stdout + r.stderr
    assert f"{via}(2) failed: {name}" in r.stdout and ("-1 E" in r.stdout or "-1 WSA" in r.stdout)


def test_reproduce_via_an_unknown_way_is_a_usage_error():
    r = run("reproduce", "BrokenPipe", "--via", "recv")
    assert r.returncode == 2 and "no recipe for BrokenPipe --via recv" in r.stderr


def test_observe_reports_every_call_and_restores_the_originals(no_fd_leak):
    from sockffi import _seam

    before = _seam.C.bind
    seen: list[sockffi.trace.Event] = []
    with sockffi.trace.observe(seen.append):
        assert _seam.C.bind is not before
        with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
            fd = server.fd
        with pytest.raises(sockffi.AddressNotAvailable):
            sockffi.listen_tcp(("198.51.100.9", 0), reuse_address=False)
    assert _seam.C.bind is before
    assert all(getattr(_seam.C, name) is fn for name, fn in _seam.RAW.items())
    names = [e.syscall for e in seen]
    assert names == ["socket", "setsockopt", "bind", "listen", "getsockname", "close", "socket", "bind", "close"]
    assert seen[0].result == fd and not seen[0].failed
    bad = seen[7]
    assert bad.failed and bad.code_name == "EADDRNOTAVAIL" and bad.error is sockffi.AddressNotAvailable
    assert all(e.seconds >= 0 for e in seen)


def test_nested_observers_both_see_calls():
    a: list[sockffi.trace.Event] = []
    b: list[sockffi.trace.Event] = []
    with sockffi.trace.observe(a.append):
        with sockffi.trace.observe(b.append):
            sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))
        sockffi.close(sockffi.socket(sockffi.AF_INET, sockffi.SOCK_DGRAM))
    assert len(a) == 4 and len(b) == 2
    assert sockffi.trace._observers == []


def test_observe_renders_every_setsockopt_value_shape(no_fd_leak):
    import struct

    seen: list[sockffi.trace.Event] = []
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with sockffi.trace.observe(seen.append):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_RCVBUF, struct.pack("i", 65536))
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_RCVBUF, bytearray(struct.pack("i", 65536)))
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)
    finally:
        sockffi.close(fd)
    assert [e.format().split(", ")[2] for e in seen] == ["SO_RCVBUF", "SO_RCVBUF", "SO_REUSEADDR"]
    assert seen[0].args[3] == "b'\\x00\\x00\\x01\\x00', 4" == seen[1].args[3]


def test_a_failing_observer_breaks_nothing_and_leaks_nothing(no_fd_leak):
    def explode(event: sockffi.trace.Event) -> None:
        raise RuntimeError("observer bug")

    with pytest.warns(RuntimeWarning, match="observer bug"), sockffi.trace.observe(explode):
        with sockffi.listen_tcp(("::1", 0)) as server:  # the step-by-step path
            assert server.address[1] > 0
        with pytest.raises(sockffi.AddressNotAvailable):
            sockffi.listen_tcp(("198.51.100.9", 0))
    assert sockffi.trace._observers == []


def test_a_child_that_cannot_start_is_said_as_such_not_as_an_output_failure(tmp_path):
    from conftest import in_child

    not_executable = tmp_path / "python"
    not_executable.write_text("")

    def child():
        import contextlib
        import io

        from sockffi import cli

        sys.executable = str(not_executable)  # execve answers EACCES
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = cli.main(["reproduce", "AddressInUse"])
        return status, err.getvalue()

    result = in_child(child)
    assert result.exc is None, result.tb
    status, said = result.value
    assert status == 1 and "cannot start" in said and "Permission denied" in said, said
    assert "cannot write the output" not in said


def test_every_exit_status_the_cli_has_is_documented():
    import re
    from pathlib import Path

    from sockffi import errors
    from sockffi.cli import _render

    page = (Path(__file__).resolve().parent.parent / "docs" / "api.rst").read_text()
    table = page[page.index("Exit status, the same for every command") :]
    documented = set(re.findall(r"^(\d+(?:-\d+|\+)?)\s{2,}", table, re.M))
    codes = sorted(errors.EXIT_CODES.values())
    assert f"{codes[0]}+" in documented
    assert ".. include:: _generated/exits.rst" in table  # each name's own, from errors.EXIT_CODES
    assert max(codes) < min(_render.EXIT_CALLER_BUG, _render.EXIT_OUTPUT, _render.EXIT_INTERRUPTED)
    for status in (0, 1, _render.EXIT_USAGE, _render.EXIT_CALLER_BUG, _render.EXIT_OUTPUT, _render.EXIT_INTERRUPTED):
        assert str(status) in documented, status


def test_explanations_state_the_rule_the_code_applies_to_binds_einval():
    """Never 'EINVAL is AlreadyBound' alone: AlreadyBound only on a socket shown
    bound, the other family's address AddressFamilyNotSupported, else Unexpected."""
    from sockffi import errors

    for said in (run("explain", "EINVAL").stdout, run("errors", "bind").stdout):
        flat = " ".join(said.split())
        assert "AlreadyBound if getsockname shows the socket bound" in flat
        assert "otherwise Unexpected" in flat
    assert "otherwise Unexpected" in errors.DEPARTURES[("posix", "bind", "EINVAL")]
    assert "only if" in errors.DEPARTURES[("posix", "bind", "EINVAL")]


@pytest.mark.skipif(not LINUX, reason="Linux's EINVAL and ENODEV for link-local binds")
def test_a_link_local_address_without_a_usable_scope_is_explained():
    unscoped = run("listen", "[fe80::1]:0")
    assert "a link-local address (fe80::/10) is on one interface" in " ".join(unscoped.stderr.split())
    unknown = run("listen", "[fe80::1%99]:0")
    assert "no interface has that index" in " ".join(unknown.stderr.split())


@pytest.mark.skipif(not LINUX or os.geteuid() != 0, reason="becomes nobody in a child: needs root")
def test_reproduce_hints_name_the_error_and_never_drop_root_twice():
    from conftest import in_child

    def child():
        from sockffi.cli import _reproduce

        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        said = {name: recipe.available(name) for name, recipe in _reproduce.RECIPES.items()}
        return said, _reproduce.RECIPES["AccessDenied"].here()

    result = in_child(child)
    assert result.exc is None, result.tb
    said, access = result.value
    for name, (_ok, text) in said.items():
        assert "sudo sockffi reproduce ...`" not in text
        if "sudo" in text:
            assert f"sudo sockffi reproduce {name}`" in text
    assert "drops root" not in access and "not root already" in access


_SIGINT_AT = r"""
import os, signal, sys
at = int(os.environ["SOCKFFI_TEST_SIGINT_AT"])
seen = [0, False]

def local(frame, event, arg):
    if event == "return" and frame.f_code.co_name == "_quiet_ctrl_c_while_the_command_starts":
        seen[1] = True  # from here on sockffi's start-up is its own
    elif event == "line" and seen[1]:
        seen[0] += 1
        if seen[0] == at:
            os.kill(os.getpid(), signal.SIGINT)
            sys.settrace(None)
            return None
    return local

sys.settrace(lambda frame, event, arg: local)
"""


@pytest.mark.parametrize("how", ["-m", "script"])
def test_ctrl_c_while_the_command_starts_is_one_line_not_a_traceback(how, tmp_path):
    """A Ctrl-C at any line the start-up runs, from the moment sockffi's own
    code runs (the interpreter's start-up before it is the interpreter's):
    "sockffi: interrupted", status 130, as once the command runs."""
    (tmp_path / "sitecustomize.py").write_text(_SIGINT_AT)
    script = os.path.join(os.path.dirname(sys.executable), "sockffi")
    if how == "script" and not os.path.exists(script):
        pytest.skip("no sockffi console script beside this interpreter")
    argv = [sys.executable, "-m", "sockffi", "--version"] if how == "-m" else [script, "--version"]
    at, tried = 1, 0
    while True:
        env = {**os.environ, "PYTHONPATH": str(tmp_path), "SOCKFFI_TEST_SIGINT_AT": str(at)}
        done = subprocess.run(
            argv, capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL, check=False
        )
        if done.returncode == 0:  # the signal would come after the command finished
            break
        tried += 1
        assert done.returncode == 130 and done.stderr == "sockffi: interrupted\n", (at, done.returncode, done.stderr)
        at = at + 1 if at < 8 else at * 2
    assert tried >= 10, "the start-up ran fewer lines than the test thought"


def test_reproduce_list_counts_out_of_every_name():
    r = run("reproduce", "--list")
    head = r.stdout.splitlines()[0]
    assert re.match(rf"\d+ of {len(sockffi.errors.ERROR_NAMES)} errors can be reproduced here", head), head


@pytest.mark.parametrize("union", ["ListenError", "TcpConnectToAddressError", "ConnectUnixSocketError"])
def test_explain_knows_every_union(union):
    r = run("explain", union)
    assert r.returncode == 0, r.stderr
    cls = getattr(sockffi, union)
    assert f"members                   {len(cls.members)}:" in r.stdout or f"{len(cls.members)}: " in r.stdout
    for set_name in sockffi.errors.UNIONS[union]:
        assert sockffi.errors.set_title(set_name) in r.stdout
    if union == "ListenError":  # its own sets only, not the connection calls'
        assert "ConnectError" not in r.stdout and "AcceptError" not in r.stdout
    if union == "ConnectUnixSocketError":
        assert "NameTooLong (before any syscall)" in r.stdout


def test_each_recipe_says_the_call_it_runs(tmp_path):
    """A recipe's description (what --list says) names the call its shown line makes."""
    from conftest import in_child

    from sockffi.cli import _reproduce

    def shown(name: str) -> str:
        scratch = tmp_path / name
        scratch.mkdir()
        os.chdir(scratch)  # as run() gives the child a scratch directory
        text, _call = _reproduce.RECIPES[name].setup()
        return text

    checked = 0
    wrong = []
    for name, recipe in _reproduce.RECIPES.items():
        if not recipe.available(name)[0]:
            continue
        line = in_child(lambda name=name: shown(name)).value
        called = re.match(r"(?:sockffi\.|server\.)(\w+)\(", line)
        assert called, line
        if not re.search(rf"\b{called.group(1)}\b", recipe.what):
            wrong.append((name, recipe.what, line))
        checked += 1
    assert not wrong, "\n".join(map(str, wrong))
    assert checked >= 10


def test_connect_hints_tell_a_missing_socket_from_a_missing_directory(tmp_path):
    r = run("connect", "./nope.sock", cwd=tmp_path)
    assert r.returncode == cli.EXIT_CODES["FileNotFound"]
    hint = " ".join(r.stderr.split("  hint")[-1].split())
    assert "does not exist" not in hint and "is the server running" in hint, hint
    r = run("connect", "./nodir/nope.sock", cwd=tmp_path)
    assert "the directory './nodir' does not exist" in r.stderr


def test_connect_help_does_not_promise_loopback():
    r = run("--help")
    assert "loopback" not in r.stdout
    assert "an IP address or a unix socket" in r.stdout


def test_the_demo_says_what_its_status_means():
    r = run("demo")
    assert r.returncode == 0
    assert "the second attempt exits with status" not in r.stdout
    assert f"`sockffi listen` would exit with status {cli.EXIT_CODES['AddressInUse']}" in " ".join(r.stdout.split())


def test_a_path_refused_before_the_call_is_not_said_to_have_failed_in_it(tmp_path):
    r = run("connect", "/tmp/" + "x" * 200)
    assert r.returncode == cli.EXIT_CODES["NameTooLong"]
    assert "connect_unix refused the address before connect(2): NameTooLong" in r.stderr
    assert "bind" not in r.stderr


def _peer(reply: bool) -> tuple[Any, Any]:
    """A loopback peer for one connection: it reads until the client's FIN,
    then answers with the upper-cased bytes and closes (reply=True), or resets
    the connection (SO_LINGER 0) at that point, so the reset comes only after
    the client's shutdown returned."""
    import socket as std
    import struct
    import threading

    listener = std.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while True:
                got = conn.recv(100)
                if not got:
                    break
                data += got
            if reply:
                conn.sendall(data.upper())
            else:
                conn.setsockopt(std.SOL_SOCKET, std.SO_LINGER, struct.pack("ii", 1, 0))
        listener.close()

    thread = threading.Thread(target=serve)
    thread.start()
    return listener.getsockname(), thread


def test_connect_send_shows_a_whole_exchange_and_how_the_stream_ends():
    (host, port), thread = _peer(reply=True)
    r = run("connect", f"{host}:{port}", "--send", "hello, kernel")
    thread.join(timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    order = [
        next(i for i, line in enumerate(lines) if needle in line)
        for needle in ("connected to", "b'hello, kernel'", "SHUT_WR", "received 13 bytes: b'HELLO, KERNEL'")
    ]
    assert order == sorted(order), r.stdout
    assert "the peer ended the stream (recv returned 0)" in r.stdout
    assert re.search(r"sendmsg\(\d+, .*\) = 13", r.stdout) and re.search(r"recvfrom\(\d+, b'', .*\) = 0", r.stdout)


def test_connect_send_to_a_peer_that_resets_explains_the_reset():
    (host, port), thread = _peer(reply=False)
    r = run("connect", f"{host}:{port}", "--send", "hello")
    thread.join(timeout=60)
    assert r.returncode == cli.EXIT_CODES["ConnectionResetByPeer"], r.stdout + r.stderr
    assert "ConnectionResetByPeer" in r.stderr and "Traceback" not in r.stderr
    assert "SHUT_WR" in r.stdout
    # The failed recv filled nothing, and still shows the size it asked for.
    assert re.search(r"recvfrom\(\d+, \.\.\., 65536, 0, NULL, NULL\)", r.stdout), r.stdout

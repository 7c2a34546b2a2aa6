"""sockffi's pytest plugin, run for real: pytester writes test files that use
the ``sockffi_fail`` marker and the ``sockffi_fail_next`` fixture, and runs
pytest on them in a subprocess, with and without xdist."""

from __future__ import annotations

import sys
import textwrap

import pytest

from sockffi import _seccomp

needs_seccomp = pytest.mark.skipif(bool(_seccomp.unavailable()), reason=str(_seccomp.unavailable()))

KERNEL_TESTS = """
import asyncio, errno, socket, pytest, sockffi

@pytest.mark.sockffi_fail("bind", "EADDRINUSE")
def test_the_stdlib_sees_the_errno():
    with socket.socket() as s, pytest.raises(OSError) as info:
        s.bind(("127.0.0.1", 0))
    assert info.value.errno == errno.EADDRINUSE

@pytest.mark.sockffi_fail("bind", "AddressInUse")
def test_asyncio_sees_it():
    async def main():
        await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    with pytest.raises(OSError) as info:
        asyncio.run(main())
    assert info.value.errno == errno.EADDRINUSE

@pytest.mark.sockffi_fail("bind", "EADDRINUSE")
def test_sockffi_names_it():
    with pytest.raises(sockffi.AddressInUse) as info:
        sockffi.listen_tcp(("127.0.0.1", 0))
    assert info.value.syscall == "bind"

@pytest.mark.sockffi_fail("setsockopt", "ENOPROTOOPT", option="SO_REUSEPORT")
def test_only_the_matching_call_fails():
    sockffi.listen_tcp(("127.0.0.1", 0)).close()  # SO_REUSEADDR passes
    with pytest.raises(sockffi.InvalidProtocolOption):
        sockffi.listen_tcp(("127.0.0.1", 0), reuse_port=True)

@pytest.mark.sockffi_fail("socket", "EMFILE", family="AF_INET6")
def test_matching_a_family():
    socket.socket(socket.AF_INET).close()
    with pytest.raises(OSError):
        socket.socket(socket.AF_INET6)

@pytest.fixture
def server_address():
    return ("127.0.0.1", 0)

@pytest.mark.sockffi_fail("listen", "EADDRINUSE")
def test_fixtures_run_in_the_fresh_interpreter(server_address, capsys):
    print("from inside")
    with pytest.raises(sockffi.AddressInUse):
        sockffi.listen_tcp(server_address)

@pytest.mark.sockffi_fail("bind", "EADDRINUSE")
def test_this_one_should_fail():
    print("output of the failing test")
    sockffi.listen_tcp(("127.0.0.1", 0)).close()

def test_the_parent_is_untouched():
    sockffi.listen_tcp(("127.0.0.1", 0)).close()
"""


@needs_seccomp
@pytest.mark.parametrize("xdist", [False, True], ids=["plain", "xdist"])
def test_the_marker_fails_the_syscall_for_any_code_and_reports_as_the_test(pytester, xdist):
    pytester.makepyfile(test_kernel=KERNEL_TESTS)
    args = ["-p", "no:cacheprovider", "-W", "error::DeprecationWarning"] + (["-n", "2"] if xdist else [])
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*test_this_one_should_fail*", "*AddressInUse*", "*output of the failing test*"])
    assert "DeprecationWarning" not in result.stdout.str() + result.stderr.str()


@needs_seccomp
def test_bad_requests_are_errors_never_skips(pytester):
    pytester.makepyfile(
        test_bad=textwrap.dedent(
            """
            import pytest

            @pytest.mark.sockffi_fail("connect", "EADDRINUSE")
            def test_unknown_call(): pass

            @pytest.mark.sockffi_fail("bind", "EPROCLIM")
            def test_a_code_this_platform_lacks(): pass

            @pytest.mark.sockffi_fail("bind", "EDOM")
            def test_a_code_outside_the_set(): pass

            @pytest.mark.sockffi_fail("getsockname", "AddressInUse")
            def test_an_error_outside_the_set(): pass

            @pytest.mark.sockffi_fail("bind", "EADDRINUSE", option="SO_REUSEPORT")
            def test_a_match_the_call_has_not(): pass

            @pytest.mark.sockffi_fail("listen", "SocketNotBound")
            def test_an_error_this_platform_never_gives(): pass
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=6)
    out = result.stdout.str()
    for said in (
        "cannot fail 'connect'",
        "EPROCLIM is not an OS error code",
        "EDOM",
        "not in GetSockNameError",
        "can be matched on nothing",
        "no OS code makes listen raise SocketNotBound",
    ):
        assert said in out, said


def test_the_fixture_undoes_itself_and_works_everywhere(pytester):
    pytester.makepyfile(
        test_fixture=textwrap.dedent(
            """
            import pytest, sockffi

            def test_fails_the_next_bind(sockffi_fail_next):
                injection = sockffi_fail_next("bind", sockffi.AddressInUse)
                with pytest.raises(sockffi.AddressInUse):
                    sockffi.listen_tcp(("127.0.0.1", 0))
                assert injection.count == 1
                sockffi.listen_tcp(("127.0.0.1", 0)).close()  # only the next one

            def test_left_nothing_behind():
                sockffi.listen_tcp(("127.0.0.1", 0)).close()
                from sockffi import _seam
                assert all(getattr(_seam.C, n) is f for n, f in _seam.RAW.items())
            """
        )
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly").assert_outcomes(passed=2)


def test_the_plugin_comes_with_sockffi():
    from importlib.metadata import entry_points

    found = (
        [e for e in entry_points(group="pytest11") if e.name == "sockffi"]
        if sys.version_info >= (3, 10)
        else [
            e
            for e in entry_points().get("pytest11", [])
            if e.name == "sockffi"  # type: ignore[attr-defined]
        ]
    )
    # An editable install may list its metadata twice (the source tree's egg-info too).
    assert {e.value for e in found} == {"sockffi._pytest_plugin"}


def test_the_docs_examples_pass_as_a_project_would_run_them():
    """docs/examples, run by pytest in its own directory: the marker example
    (Linux) and the library-level one (every OS)."""
    import subprocess
    from pathlib import Path

    examples = Path(__file__).resolve().parent.parent / "docs" / "examples"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(examples)],
        cwd=examples,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    expected = "2 passed" if not _seccomp.unavailable() else "1 passed, 1 skipped"
    assert expected in done.stdout, done.stdout + done.stderr

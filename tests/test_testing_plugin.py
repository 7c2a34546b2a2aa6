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

@pytest.mark.sockffi_fail("sendto", "ECONNRESET")
def test_the_data_path_too_and_the_plugin_survives_it():
    # CPython's send is sendto(2); the plugin's own control pipes are never supervised.
    a, b = socket.socketpair()
    with a, b, pytest.raises(ConnectionResetError):
        a.send(b"x")
    s = sockffi.listen_tcp(("127.0.0.1", 0))
    c = sockffi.connect_tcp(s.address)
    with s, c, pytest.raises(sockffi.ConnectionResetByPeer):
        sockffi.send(c, b"x")

@pytest.mark.sockffi_fail("recvfrom", "ETIMEDOUT")
def test_a_receive_timed_out():
    s = sockffi.listen_tcp(("127.0.0.1", 0))
    c = sockffi.connect_tcp(s.address)
    with s, c, pytest.raises(sockffi.ConnectionTimedOut):
        sockffi.recv(c, 1)

@pytest.mark.sockffi_fail("sendmsg", "EPIPE")
def test_connection_write_is_sendmsg():
    s = sockffi.listen_tcp(("127.0.0.1", 0))
    c = sockffi.connect_tcp(s.address)
    with s, c, pytest.raises(sockffi.BrokenPipe) as info:
        c.write_all(b"hello")
    assert info.value.sent == 0
"""


@needs_seccomp
@pytest.mark.parametrize("xdist", [False, True], ids=["plain", "xdist"])
def test_the_marker_fails_the_syscall_for_any_code_and_reports_as_the_test(pytester, xdist):
    pytester.makepyfile(test_kernel=KERNEL_TESTS)
    args = ["-p", "no:cacheprovider", "-W", "error::DeprecationWarning"] + (["-n", "2"] if xdist else [])
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=10, failed=1)
    result.stdout.fnmatch_lines(["*test_this_one_should_fail*", "*AddressInUse*", "*output of the failing test*"])
    assert "DeprecationWarning" not in result.stdout.str() + result.stderr.str()


@needs_seccomp
def test_bad_requests_are_errors_never_skips(pytester):
    pytester.makepyfile(
        test_bad=textwrap.dedent(
            """
            import pytest

            @pytest.mark.sockffi_fail("ioctl", "EADDRINUSE")
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
        "cannot fail 'ioctl'",
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


# ------------------------------------------------------------------ inside pytest's own protocol

SHAPES = {
    "conftest.py": """
        import socket, pytest
        OPENED = []

        @pytest.fixture(scope="session")
        def session_server():
            s = socket.create_server(("127.0.0.1", 0))  # bound while no rule may be armed
            OPENED.append("session")
            yield s
            s.close()
    """,
    "pkg/__init__.py": "",
    "pkg/conftest.py": """
        import socket, pytest

        @pytest.fixture(scope="package")
        def package_server():
            with socket.create_server(("127.0.0.1", 0)) as s:
                yield s
    """,
    "pkg/test_a.py": """
        import errno, socket, pytest, sockffi

        @pytest.fixture(scope="module")
        def module_server():
            with socket.create_server(("127.0.0.1", 0)) as s:
                yield s

        @pytest.fixture
        def function_server():
            return socket.create_server(("127.0.0.1", 0))  # part of the test: the rule applies

        @pytest.mark.sockffi_fail("bind", "EADDRINUSE")
        def test_marked_first(session_server, package_server, module_server):
            with pytest.raises(OSError) as info:
                socket.create_server(("127.0.0.1", 0))
            assert info.value.errno == errno.EADDRINUSE

        def test_plain(module_server):
            socket.create_server(("127.0.0.1", 0)).close()

        @pytest.mark.sockffi_fail("bind", "EADDRINUSE")
        def test_function_fixtures_see_it(request):
            with pytest.raises(OSError):
                request.getfixturevalue("function_server")

        class TestInAClass:
            @pytest.fixture(scope="class")
            def class_server(self):
                with socket.create_server(("127.0.0.1", 0)) as s:
                    yield s

            @pytest.mark.sockffi_fail("listen", "EADDRINUSE")
            @pytest.mark.parametrize("n", [1, 2])
            def test_param(self, class_server, n):
                with pytest.raises(sockffi.AddressInUse):
                    sockffi.listen_tcp(("127.0.0.1", 0))

            def test_after(self, class_server):
                sockffi.listen_tcp(("127.0.0.1", 0)).close()

        @pytest.mark.sockffi_fail("bind", "EADDRINUSE")
        def test_marked_last_in_its_file(module_server):
            with pytest.raises(OSError):
                socket.create_server(("127.0.0.1", 0))
    """,
    "pkg/test_b.py": """
        import socket

        def test_plain_b(package_server, session_server):
            socket.create_server(("127.0.0.1", 0)).close()
    """,
    "test_c.py": """
        import socket

        def test_plain_c(session_server):
            socket.create_server(("127.0.0.1", 0)).close()
            import conftest
            assert conftest.OPENED == ["session"]  # one session fixture, never set up again
    """,
}


def write_project(pytester, files=SHAPES):
    for name, text in files.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


@needs_seccomp
@pytest.mark.parametrize(
    "args",
    [[], ["-n", "2"], ["-n", "2", "--dist", "loadfile"], ["-n", "2", "--dist", "loadscope"], ["-p", "no:randomly"]],
    ids=["plain", "load", "loadfile", "loadscope", "ordered"],
)
def test_marked_tests_behave_as_unmarked_ones_in_every_position_and_scope(pytester, args):
    write_project(pytester)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    out = result.stdout.str()
    assert "was not torn down properly" not in out, out
    result.assert_outcomes(passed=9)


@needs_seccomp
def test_dash_x_and_last_failed_work_with_marked_tests(pytester):
    write_project(
        pytester,
        {
            "test_x.py": """
                import socket, pytest

                @pytest.mark.sockffi_fail("bind", "EADDRINUSE")
                def test_fails():
                    socket.create_server(("127.0.0.1", 0))

                def test_never_reached():
                    pass
            """
        },
    )
    first = pytester.runpytest_subprocess("-x")
    first.assert_outcomes(failed=1)
    again = pytester.runpytest_subprocess("--lf")
    again.assert_outcomes(failed=1)
    assert "1 deselected" in again.stdout.str() or "run-last-failure" in again.stdout.str()


UNFIRED = """
    import socket, pytest, sockffi

    def test_fail_around_cpython_only_code():
        with sockffi.testing.fail("bind", sockffi.AddressInUse):
            socket.create_server(("127.0.0.1", 0)).close()

    def test_fixture_before_cpython_only_code(sockffi_fail_next):
        sockffi_fail_next("listen", sockffi.AddressInUse)
        socket.create_server(("127.0.0.1", 0)).close()

    @pytest.mark.sockffi_fail("bind", "EADDRINUSE")
    def test_marker_whose_code_never_binds():
        socket.socket().close()

    @pytest.mark.sockffi_fail("bind", "EADDRINUSE", required=False)
    def test_marker_not_required():
        pass

    def test_not_required():
        with sockffi.testing.fail("bind", sockffi.AddressInUse, required=False):
            pass

    def test_fixture_not_required(sockffi_fail_next):
        sockffi_fail_next("bind", sockffi.AddressInUse, required=False)
"""


@needs_seccomp
def test_an_injection_that_never_fired_fails_its_test(pytester):
    write_project(pytester, {"test_unfired.py": UNFIRED})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=5, failed=1, errors=2)
    out = result.stdout.str()
    assert "fail('bind', AddressInUse) never fired" in out
    assert "fail('listen', AddressInUse) never fired" in out
    assert "the kernel never saw a bind call" in out
    assert "socket x1" in out  # what the kernel saw instead


LEFT_ARMED = """
    import pytest, sockffi
    from sockffi import _seam

    def test_bare_fail_then_raises():
        sockffi.testing.fail("bind", sockffi.AddressInUse)
        raise RuntimeError("the test's own error")

    def test_innocent():
        sockffi.listen_tcp(("127.0.0.1", 0)).close()
        assert not _seam._layers

    def test_spent_injections_remove_themselves():
        injection = sockffi.testing.fail("bind", sockffi.AddressInUse, times=2)
        for _ in range(2):
            with pytest.raises(sockffi.AddressInUse):
                sockffi.listen_tcp(("127.0.0.1", 0))
        assert not _seam._layers and all(getattr(_seam.C, n) is f for n, f in _seam.RAW.items())
        assert not injection.active and injection.count == 2
        sockffi.listen_tcp(("127.0.0.1", 0)).close()

    def test_many_spent_injections_cost_nothing():
        for _ in range(3000):  # once about 1,000 stayed wrapped, every call raised RecursionError
            sockffi.testing.fail("getsockname", sockffi.SystemResources)
            with pytest.raises(sockffi.SystemResources):
                sockffi.getsockname(0)
        assert not _seam._layers

    def test_refusals_are_one_error():
        sockffi.testing.fail("bind", "EBADF")

    @pytest.mark.sockffi_fail("bind", "EBADF")
    def test_marker_refusal_is_one_error():
        pass
"""


@needs_seccomp
def test_nothing_outlives_its_test_and_refusals_are_said_once(pytester):
    write_project(pytester, {"test_left.py": LEFT_ARMED})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    out = result.stdout.str()
    result.assert_outcomes(passed=3, failed=2, errors=2)
    assert "the test's own error" in out
    assert "was still armed when the test ended" in out
    assert "During handling of the above exception" not in out
    reports = out.split("short test summary info")[0]
    assert reports.count("bind does not fail with EBADF") == 2  # each refusal once, in its own report


@needs_seccomp
def test_reruns_rerun_a_marked_test_with_its_rule(pytester):
    pytest.importorskip("pytest_rerunfailures")
    write_project(
        pytester,
        {
            "test_rerun.py": """
                import socket, pytest
                RUNS = []

                @pytest.mark.sockffi_fail("bind", "EADDRINUSE")
                def test_fails_first_time():
                    RUNS.append(1)
                    with pytest.raises(OSError):
                        socket.create_server(("127.0.0.1", 0))  # the rule holds on every run
                    assert len(RUNS) == 2

                def test_after():
                    socket.create_server(("127.0.0.1", 0)).close()
            """
        },
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "--reruns", "1")
    assert result.parseoutcomes() == {"passed": 2, "rerun": 1}, result.stdout.str()

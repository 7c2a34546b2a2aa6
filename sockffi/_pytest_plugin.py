"""sockffi's pytest plugin (entry point ``sockffi``): the ``sockffi_fail`` marker
and the ``sockffi_fail_next`` fixture. See :mod:`sockffi.testing`.

A marked test runs where every other test runs, inside pytest's own runtest
protocol: its fixtures of every scope, ``nextitem`` teardown, ``-x``, ``--lf``
and xdist behave as for an unmarked test. What makes the syscall fail is the
kernel: at the first marked test, the process (an xdist worker, or pytest
itself) gets one seccomp filter that hands every socket-setup syscall to a
supervisor process, which lets it run unless a marked test is under way and
the call is the one it names; then it answers with the errno, and counts.
The rule is armed from the marked test's first function-scoped fixture to
the last one's teardown; fixtures of wider scope, which other
tests share, never see it. After it, the count tells whether it fired.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, Optional

import pytest

from . import _seccomp, testing

MARKER = (
    "sockffi_fail(call, error, *, times=None, required=True, **match): while this test runs (setup to "
    f"teardown), the kernel answers `call` ({', '.join(_seccomp.NOTIFIED)}) with `error` "
    "(a code's name or one of sockffi's errors), for any code in this process or its children; the test "
    "fails if the call never happened (required=False: fine). Linux x86_64/aarch64"
)

_ARMED = pytest.StashKey[dict[str, Any]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


class _Kernel:
    """The supervisor of this process's filter, started at the first marked test
    and kept for the life of the process: the filter cannot be removed, and
    without its supervisor every syscall it notifies would fail (ENOSYS). It
    exits when this process does (its request pipe closes)."""

    requests: Optional[int] = None  # the pipe this process writes its requests to
    replies: Optional[int] = None  # the pipe the supervisor answers on
    proc: Optional[subprocess.Popen[bytes]] = None
    synced = False
    broken: Optional[str] = None

    @classmethod
    def start(cls) -> Optional[str]:
        """None once the filter and its supervisor are in place; else why not."""
        if cls.requests is not None or cls.broken:
            return cls.broken
        why = _seccomp.unavailable()
        if why:
            cls.broken = why
            return why
        actions = "/proc/sys/kernel/seccomp/actions_avail"
        try:
            with open(actions) as f:
                if "user_notif" not in f.read().split():
                    cls.broken = "this kernel has no SECCOMP_RET_USER_NOTIF (Linux 5.5+ answers and counts calls)"
                    return cls.broken
        except OSError:
            pass
        try:
            listener, cls.synced = _seccomp.install_notifying()
        except OSError as exc:
            if exc.errno == errno.EBUSY:  # one listener per filter tree
                cls.broken = (
                    "this process already runs under another seccomp supervisor (a pytest started from a "
                    "marked test, or from a worker that ran one, inherits its filter)"
                )
            else:
                cls.broken = f"the kernel refused the notifying filter: {exc}"
            return cls.broken
        # The supervisor starts now, so it inherits the listener: no fd is
        # passed over a socket (sendmsg, which a marker may supervise). Until
        # it runs, a notified call of this process waits for it.
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        names = {str(nr): n for nr, n in _seccomp.numbers_of(_platform()).items()}
        fds = (listener, requests_r, replies_w)
        try:
            cls.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _seccomp.SUPERVISOR, *map(str, fds), json.dumps(names)],
                pass_fds=fds,
                stdin=subprocess.DEVNULL,
            )
        finally:
            for fd in fds:
                os.close(fd)
        cls.requests, cls.replies = requests_w, replies_r
        return None

    @classmethod
    def ask(cls, request: dict[str, Any]) -> dict[str, Any]:
        """One request and its reply, over the pipes (read(2) and write(2): no
        call a marker can fail, whatever it supervises)."""
        assert cls.requests is not None and cls.replies is not None
        data = json.dumps(request).encode() + b"\n"
        while data:
            data = data[os.write(cls.requests, data) :]
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = os.read(cls.replies, 65536)
            if not chunk:
                raise RuntimeError("sockffi_fail: the supervisor of this process's seccomp filter is gone")
            reply += chunk
        answer: dict[str, Any] = json.loads(reply)
        return answer


def _platform() -> str:
    import platform

    return platform.machine()


def _spec(marker: pytest.Mark) -> tuple[dict[str, Any], bool, Optional[int]]:
    kwargs = dict(marker.kwargs)
    required = kwargs.pop("required", True)
    times = kwargs.pop("times", None)
    if required is not True and required is not False:
        raise TypeError(f"required must be True or False, not {required!r}")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError(f"times must be a positive int, or None for every call, not {times!r}")
    return testing.kernel_spec(*marker.args, **kwargs), required, times


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("sockffi_fail")
    if marker is None:
        return
    why = _Kernel.start()
    if why:
        pytest.skip(f"sockffi_fail: {why}")
    try:
        spec, required, times = _spec(marker)
    except (TypeError, ValueError) as exc:
        message = f"sockffi_fail{marker.args!r}: {exc}"
    else:
        message = ""
    if message:  # outside the except: one error, not a chained pair
        pytest.fail(message, pytrace=False)
    rule = {"syscall": spec["syscall"], "errno": spec["errno"], "matches": spec["matches"], "times": times}
    state = {"spec": spec, "required": required, "marker": marker, "rule": rule, "armed": False, "reply": None}
    item.stash[_ARMED] = state


@pytest.fixture(autouse=True)
def _sockffi_fail_armed(request: pytest.FixtureRequest) -> Iterator[None]:
    """Arms a marked test's rule: autouse and the plugin's, so the first of the
    test's function-scoped fixtures to be set up and the last torn down.
    Fixtures of wider scope (pytest sets them up first), which other tests
    share, never see the rule, wherever the marked test stands."""
    state = request.node.stash.get(_ARMED, None)
    if state is None:
        yield
        return
    _Kernel.ask({"op": "arm", "rule": state["rule"]})
    state["armed"] = True
    try:
        yield
    finally:
        _disarm(state)


def _disarm(state: dict[str, Any]) -> None:
    if state["armed"]:
        state["armed"] = False
        state["reply"] = _Kernel.ask({"op": "disarm"})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: Optional[pytest.Item]) -> Iterator[None]:
    try:
        result = yield
    finally:
        problems = _finish(item)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    return result


def _finish(item: pytest.Item) -> list[str]:
    """Disarm what this test armed; what it should not have left, said."""
    problems = []
    state = item.stash.get(_ARMED, None)
    if state is not None:
        del item.stash[_ARMED]
        _disarm(state)
        reply = state["reply"]
        if state["required"] and reply is not None and not reply["count"]:
            spec = state["spec"]
            match = f" with {spec['matches']}" if spec["matches"] else ""
            seen = ", ".join(f"{name} x{n}" for name, n in sorted(reply["seen"].items())) or "none"
            problems.append(
                f"sockffi_fail{state['marker'].args!r}: the kernel never saw a {spec['syscall']} call{match} "
                f"from this test (socket-setup syscalls it saw meanwhile: {seen}); the test proved nothing. "
                "Pass required=False if not failing is fine."
            )
    left = list(testing.ACTIVE)
    for injection in left:
        shown = repr(injection)
        injection._checked = True  # reported here, once
        injection.close()
        problems.append(
            f"{shown} was still armed when the test ended: undone now; close it, or use it as a "
            "context manager (with sockffi.testing.fail(...):) or the sockffi_fail_next fixture"
        )
    return problems


@pytest.fixture
def sockffi_fail_next() -> Iterator[Any]:
    """:func:`sockffi.testing.fail`, each use undone at the end of the test
    (and the test failed if a required one never fired)::

    def test_falls_back(sockffi_fail_next):
        sockffi_fail_next("bind", sockffi.AddressInUse)
        ...
    """
    made: list[testing.Injection] = []

    def fail(call: str, error: Any, **options: Any) -> testing.Injection:
        injection = testing.fail(call, error, **options)
        made.append(injection)
        return injection

    yield fail
    unfired = []
    for injection in made:
        try:
            injection.close()
        except testing.NotFired as exc:
            unfired.append(str(exc))
    if unfired:
        pytest.fail("\n".join(unfired), pytrace=False)

"""sockffi's pytest plugin (entry point ``sockffi``): the ``sockffi_fail`` marker
and the ``sockffi_fail_next`` fixture. See :mod:`sockffi.testing`.

A marked test runs in a fresh interpreter: ``python -m pytest`` on that one
test, with the seccomp filter installed in its ``pytest_configure``, before any
test module is imported. That process starts with one thread, so nothing is
forked from a multi-threaded one (the xdist workers are); its reports (setup,
call, teardown: outcome, traceback, captured output) come back serialized, as
xdist's do, and are logged here as this test's own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, Optional

import pytest

from . import _seccomp, testing

MARKER = (
    "sockffi_fail(call, error, **match): run the test in a fresh interpreter in which the kernel "
    "answers `call` (socket, bind, listen, setsockopt, getsockname) with `error` (a code's name or "
    "one of sockffi's errors); Linux x86_64/aarch64"
)
TIMEOUT = float(os.environ.get("SOCKFFI_FAIL_TIMEOUT", "600"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sockffi")
    group.addoption("--sockffi-child", default=None, help=argparse.SUPPRESS)
    group.addoption("--sockffi-reports", default=None, help=argparse.SUPPRESS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    spec = config.getoption("sockffi_child", None)
    if spec:
        # The fresh interpreter of one marked test: the filter first.
        data = json.loads(spec)
        matches = {int(k): (v[0], v[1]) for k, v in data["matches"].items()}
        _seccomp.install(data["syscall"], data["errno"], matches)
        config.pluginmanager.register(_Reporter(config, config.getoption("sockffi_reports")), "sockffi-reporter")


class _Reporter:
    def __init__(self, config: pytest.Config, path: str) -> None:
        self.config, self.path = config, path

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = self.config.hook.pytest_report_to_serializable(config=self.config, report=report)
        with open(self.path, "a") as f:
            f.write(json.dumps(data) + "\n")


def _report(item: pytest.Item, when: str, action: Any) -> pytest.TestReport:
    call = pytest.CallInfo.from_call(action, when=when)  # type: ignore[arg-type]
    return pytest.TestReport.from_item_and_call(item, call)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: Optional[pytest.Item]) -> Optional[bool]:
    marker = item.get_closest_marker("sockffi_fail")
    if marker is None or item.config.getoption("sockffi_child", None):
        return None
    ihook = item.ihook
    ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in _run(item, marker):
        ihook.pytest_runtest_logreport(report=report)
    ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def _run(item: pytest.Item, marker: pytest.Mark) -> list[pytest.TestReport]:
    why = _seccomp.unavailable()
    if why:
        return [_report(item, "setup", lambda: pytest.skip(f"sockffi_fail: {why}"))]
    try:
        spec = testing.kernel_spec(*marker.args, **marker.kwargs)
    except (TypeError, ValueError) as exc:
        message = f"sockffi_fail{marker.args!r}: {exc}"
        return [_report(item, "setup", lambda: pytest.fail(message, pytrace=False))]
    config = item.config
    with tempfile.TemporaryDirectory(prefix="sockffi-fail-") as scratch:
        reports_path = os.path.join(scratch, "reports.jsonl")
        target = str(item.path) + ("::" + item.nodeid.split("::", 1)[1] if "::" in item.nodeid else "")
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--rootdir",
            str(config.rootpath),
            "--sockffi-child",
            json.dumps(spec),
            "--sockffi-reports",
            reports_path,
            target,
        ]
        if config.inipath:
            argv[4:4] = ["-c", str(config.inipath)]
        if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
            argv[4:4] = ["-p", "sockffi._pytest_plugin"]
        try:
            done = subprocess.run(
                argv,
                cwd=str(config.invocation_params.dir),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            message = f"sockffi_fail: the test's interpreter did not finish in {TIMEOUT:g} s"
            return [_report(item, "call", lambda: pytest.fail(message, pytrace=False))]
        lines: list[str] = []
        if os.path.exists(reports_path):
            with open(reports_path) as f:
                lines = f.read().splitlines()
    reports = [config.hook.pytest_report_from_serializable(config=config, data=json.loads(line)) for line in lines]
    for report in reports:
        report.nodeid, report.location = item.nodeid, item.location
    if not reports or not any(r.when == "call" or r.outcome != "passed" for r in reports):
        tail = (done.stdout[-3000:] + done.stderr[-3000:]).strip()
        message = f"sockffi_fail: the test's interpreter ran no test (exit status {done.returncode}):\n{tail}"
        reports.append(_report(item, "call", lambda: pytest.fail(message, pytrace=False)))
    return reports


@pytest.fixture
def sockffi_fail_next() -> Iterator[Any]:
    """:func:`sockffi.testing.fail`, each use undone at the end of the test::

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
    for injection in made:
        injection.close()

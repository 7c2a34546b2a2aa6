"""sockffi's mapping tables against the Zig 0.15.2 specification, read independently.

Every row of the spec's per-syscall tables must agree with sockffi.errors, or be
a departure that sockffi.errors.DEPARTURES names and explains.
"""

from __future__ import annotations

import pytest
import zig_spec
from conftest import COUNTS

from sockffi import errors

SPECS = [p for p in zig_spec.SPEC_FILES if p.exists()]


def _departure(platform: str, key: str, code: str) -> str:
    d = errors.DEPARTURES
    return d.get((platform, key, code)) or d.get((platform, key, "*")) or ""


LISTEN_CALLS = ("socket", "bind", "listen", "setsockopt", "getsockname")


@pytest.mark.parametrize("path", SPECS, ids=[p.parent.parent.name for p in SPECS])
def test_tables_match_the_zig_spec(path):
    spec = zig_spec.load(path, set(errors.ERROR_NAMES))
    assert set(spec["posix"]) == {"socket", "socket.fcntl", "bind", "listen", "setsockopt", "getsockname"}
    assert set(spec["windows"]) == {"socket", "socket.WSAStartup", "bind", "listen", "setsockopt", "getsockname"}
    rows = departures = 0
    mismatches = []
    for platform, ours in (("posix", errors.POSIX), ("windows", errors.WINDOWS)):
        # zig-spec.md covers the listen calls; the connection calls' tables are
        # checked row by row in test_connections.py (zig-spec-connections.md).
        listen_keys = {k for k in ours if k.partition(".")[0] in LISTEN_CALLS}
        for key in set(spec[platform]) | listen_keys:
            theirs, mine = spec[platform].get(key, {}), ours.get(key, {})
            for code in set(theirs) | set(mine):
                rows += 1
                zig, us = theirs.get(code, "Unexpected"), mine.get(code, "Unexpected")
                if zig == us:
                    continue
                if _departure(platform, key, code):
                    departures += 1
                else:
                    mismatches.append((platform, key, code, "zig", zig, "sockffi", us))
    assert not mismatches, mismatches
    assert rows >= 90
    if path == SPECS[0]:
        COUNTS["spec_rows"] += rows
        COUNTS["departures"] += departures


def test_the_vendored_spec_is_the_shared_one():
    shared = zig_spec.SPEC_FILES[1]
    if not shared.exists():
        pytest.skip("../shared/spec is not beside this checkout")
    assert zig_spec.SPEC_FILES[0].read_bytes() == shared.read_bytes()


def test_every_departure_differs_from_zig():
    spec = zig_spec.load(zig_spec.SPEC_FILES[0], set(errors.ERROR_NAMES))
    for (platform, key, code), why in errors.DEPARTURES.items():
        assert len(why) > 20
        if platform in ("posix", "windows") and code != "*" and key.partition(".")[0] in LISTEN_CALLS:
            table = errors.POSIX if platform == "posix" else errors.WINDOWS
            assert spec[platform].get(key, {}).get(code, "Unexpected") != table[key][code], (platform, key, code)


CONNECTION_CALLS = ("accept", "connect", "getsockopt_error", "getpeername", "shutdown")


@pytest.mark.parametrize("path", zig_spec.CONNECTION_SPEC_FILES, ids=["tests", "shared"])
def test_the_connection_tables_match_the_zig_spec(path):
    """accept, connect, getsockoptError (what SO_ERROR holds), getpeername and
    shutdown, row by row against zig-spec-connections.md; every difference is a
    listed departure."""
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    spec = zig_spec.load(path, set(errors.ERROR_NAMES))
    assert set(spec["posix"]) == set(CONNECTION_CALLS)
    assert set(spec["windows"]) == {"accept", "connect", "getpeername", "shutdown"}  # no Windows getsockoptError
    rows, mismatches = 0, []
    for platform, ours in (("posix", errors.POSIX), ("windows", errors.WINDOWS)):
        for key in CONNECTION_CALLS:
            theirs, mine = spec[platform].get(key, {}), ours.get(key, {})
            for code in set(theirs) | set(mine):
                rows += 1
                zig, us = theirs.get(code, "Unexpected"), mine.get(code, "Unexpected")
                if zig != us and not _departure(platform, key, code):
                    mismatches.append((platform, key, code, "zig", zig, "sockffi", us))
    assert not mismatches, mismatches
    assert rows >= 90
    if path == zig_spec.CONNECTION_SPEC_FILES[0]:
        COUNTS["spec_rows"] += rows


def test_the_vendored_connection_spec_is_the_shared_one():
    vendored, shared = zig_spec.CONNECTION_SPEC_FILES
    if not shared.exists():
        pytest.skip("../shared/spec is not beside this checkout")
    assert vendored.read_bytes() == shared.read_bytes()


def test_every_connection_departure_differs_from_zig():
    spec = zig_spec.load(zig_spec.CONNECTION_SPEC_FILES[0], set(errors.ERROR_NAMES))
    checked = 0
    for (platform, key, code), _why in errors.DEPARTURES.items():
        if (
            platform in ("posix", "windows")
            and code != "*"
            and key in CONNECTION_CALLS
            and code.startswith(("E", "WSA"))
        ):
            table = errors.POSIX if platform == "posix" else errors.WINDOWS
            assert spec[platform].get(key, {}).get(code, "Unexpected") != table[key][code], (platform, key, code)
            checked += 1
    assert checked >= 7

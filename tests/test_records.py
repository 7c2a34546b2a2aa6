"""Every syscall record, and every error name, covered by every consumer that
derives from them: a new call or name that some part of sockffi does not
know fails here, by name, not somewhere later."""

from __future__ import annotations

import pytest

import sockffi
from sockffi import _calls, _catalogue, _seam, _seccomp, errors, testing, trace

RECORDS = list(_catalogue.RECORDS.values())

#: The exit statuses the CLI has given since they were made: a status never
#: changes meaning, so these stay as they are, and new names come after.
PINNED_EXIT_STATUSES = {
    "AccessDenied": 10,
    "AddressFamilyNotSupported": 11,
    "AddressInUse": 12,
    "AddressNotAvailable": 13,
    "AlreadyBound": 14,
    "AlreadyConnected": 15,
    "FileDescriptorNotASocket": 16,
    "FileNotFound": 17,
    "InvalidProtocolOption": 18,
    "NameTooLong": 19,
    "NetworkSubsystemFailed": 20,
    "NoDevice": 21,
    "NotDir": 22,
    "OperationNotSupported": 23,
    "PermissionDenied": 24,
    "ProcessFdQuotaExceeded": 25,
    "ProtocolFamilyNotAvailable": 26,
    "ProtocolNotSupported": 27,
    "ReadOnlyFileSystem": 28,
    "SocketNotBound": 29,
    "SocketTypeNotSupported": 30,
    "SymLinkLoop": 31,
    "SystemFdQuotaExceeded": 32,
    "SystemResources": 33,
    "TimeoutTooBig": 34,
    "Unexpected": 35,
    "BlockedByFirewall": 36,
    "BlockingOperationInProgress": 37,
    "ConnectionAborted": 38,
    "ConnectionPending": 39,
    "ConnectionRefused": 40,
    "ConnectionResetByPeer": 41,
    "ConnectionTimedOut": 42,
    "NetworkUnreachable": 43,
    "ProtocolFailure": 44,
    "SocketNotConnected": 45,
    "SocketNotListening": 46,
    "WouldBlock": 47,
    "BrokenPipe": 48,
    "MessageTooBig": 49,
    "FastOpenAlreadyInProgress": 50,
    "UnreachableAddress": 51,
    "InputOutput": 52,
    "IsDir": 53,
    "OperationAborted": 54,
    "NotOpenForReading": 55,
    "Canceled": 56,
    "ProcessNotFound": 57,
    "LockViolation": 58,
}


def test_exit_statuses_are_pinned_and_new_names_come_after():
    for name, status in PINNED_EXIT_STATUSES.items():
        assert errors.EXIT_CODES[name] == status, name
    statuses = sorted(errors.EXIT_CODES.values())
    assert statuses == list(range(10, 10 + len(statuses))), "no gaps, no reuse"
    newer = [n for n in errors.EXIT_CODES if n not in PINNED_EXIT_STATUSES]
    assert all(errors.EXIT_CODES[n] > max(PINNED_EXIT_STATUSES.values()) for n in newer)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_every_consumer_covers_every_record(record):
    # The seam: each C function is compiled in and reachable; its table exists.
    for helper in record.helpers:
        assert helper in _seam.RAW, helper
    assert isinstance(getattr(_seam.DIRECT, record.name), dict)
    # The trace: each C function renders, every argument kind and result kind known.
    for helper, spec in record.helpers.items():
        assert trace._HELPERS[helper][0] == record.kernel
        for kind in spec.args:
            assert kind in trace._SHOW or kind in ("sock", "cell", "out"), (helper, kind)
        assert spec.result in trace._RESULT_SHOWN, (helper, spec.result)
        for part in spec.shows:  # every placeholder is an argument or the result
            part.format(**dict.fromkeys((*spec.args, "result"), ""))
    # sockffi.testing: the call can be failed, its matches are argument kinds.
    if record.set:
        assert record.name in testing.CALLS
        kinds = {k for spec in record.helpers.values() for k in spec.args}
        for key in record.match:
            assert key in kinds, key
    # The seccomp filters: numbers on every machine, a name the supervisor knows.
    for machine in _seccomp.ARCHES:
        assert record.seccomp[machine], machine
        assert record.kernel in _seccomp.ARCHES[machine][1]
    # The public function: in sockffi and sockffi.posix, made from its record where it is plain.
    function = getattr(sockffi, record.name)
    assert function is getattr(sockffi.posix, record.name)
    assert record.name == "close" or errors.set_title(record.set).split(".")[-1] in function.__doc__
    # The docs: its man pages.
    page, anchor, ms_name = record.man
    assert page and anchor.startswith("nf-") and ms_name


@pytest.mark.parametrize("name", list(_catalogue.NAMES))
def test_every_consumer_covers_every_name(name):
    from sockffi.cli import _render, _reproduce

    spec = _catalogue.NAMES[name]
    cls = getattr(sockffi, name)
    assert cls.__doc__ == spec.doc and spec.doc
    assert name in errors.EXIT_CODES
    assert _render.HINTS[name] == spec.hint and spec.hint
    recipe = _reproduce.RECIPES[name]  # a recipe, or the reason there is none
    assert recipe.platforms or recipe.otherwise
    assert errors.sets_of(cls), f"{name} is in no set"
    if spec.builtin:
        assert issubclass(cls, getattr(__builtins__, spec.builtin, None) or eval(spec.builtin))


def test_every_argument_kind_a_plain_call_uses_converts():
    """The plain calls' bodies are made at import; a kind with no conversion
    would have failed it. Each made body is the record's first helper."""
    for name in ("bind", "listen", "getsockname", "connect", "getpeername", "shutdown"):
        function = getattr(sockffi.posix, name)
        assert function.__code__.co_filename.endswith(f"<syscall {name}>")
        helper = next(iter(_catalogue.RECORDS[name].helpers))
        assert f"_C.{helper}(" in "".join(__import__("linecache").getlines(function.__code__.co_filename))
    with pytest.raises(TypeError, match="no result handling for kind 'value'"):

        def getsockopt(fd: int, level: int, option: int) -> None: ...

        _calls.syscall(getsockopt)  # its first helper's result (an option's value) is its own
    with pytest.raises(TypeError, match="does not take"):

        def accept(fd: int) -> None: ...

        _calls.syscall(accept)  # its first helper fills a new cell first: written out, not made

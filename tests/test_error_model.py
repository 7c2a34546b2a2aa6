"""The error classes: names, sets by real inheritance, Zig's order, builtins, tables."""

from __future__ import annotations

import errno

import pytest

import sockffi
from sockffi import errors, posix

ZIG_26 = [
    "AccessDenied",
    "AddressFamilyNotSupported",
    "AddressInUse",
    "AddressNotAvailable",
    "AlreadyBound",
    "AlreadyConnected",
    "FileDescriptorNotASocket",
    "FileNotFound",
    "InvalidProtocolOption",
    "NameTooLong",
    "NetworkSubsystemFailed",
    "NoDevice",
    "NotDir",
    "OperationNotSupported",
    "PermissionDenied",
    "ProcessFdQuotaExceeded",
    "ProtocolFamilyNotAvailable",
    "ProtocolNotSupported",
    "ReadOnlyFileSystem",
    "SocketNotBound",
    "SocketTypeNotSupported",
    "SymLinkLoop",
    "SystemFdQuotaExceeded",
    "SystemResources",
    "TimeoutTooBig",
    "Unexpected",
]

# Zig 0.15.2 lib/std/posix.zig, in declaration order (written out independently
# of sockffi.errors.SETS).
ZIG_ORDER = {
    sockffi.SocketError: "AccessDenied AddressFamilyNotSupported ProtocolFamilyNotAvailable "
    "ProcessFdQuotaExceeded SystemFdQuotaExceeded SystemResources ProtocolNotSupported "
    "SocketTypeNotSupported Unexpected",
    sockffi.BindError: "AccessDenied AddressInUse AddressNotAvailable AddressFamilyNotSupported "
    "SymLinkLoop NameTooLong FileNotFound SystemResources NotDir ReadOnlyFileSystem "
    "NetworkSubsystemFailed FileDescriptorNotASocket AlreadyBound Unexpected",
    posix.ListenError: "AddressInUse FileDescriptorNotASocket OperationNotSupported "
    "NetworkSubsystemFailed SystemResources AlreadyConnected SocketNotBound Unexpected",
    sockffi.SetSockOptError: "AlreadyConnected InvalidProtocolOption TimeoutTooBig SystemResources "
    "PermissionDenied OperationNotSupported NetworkSubsystemFailed FileDescriptorNotASocket "
    "SocketNotBound NoDevice Unexpected",
    sockffi.GetSockNameError: "SystemResources NetworkSubsystemFailed SocketNotBound "
    "FileDescriptorNotASocket Unexpected",
}


def test_exactly_the_26_zig_names_exported():
    assert sorted(errors.LISTEN_NAMES) == sorted(ZIG_26)
    assert set(ZIG_26) < set(errors.ERROR_NAMES)
    for name in ZIG_26:
        cls = getattr(sockffi, name)
        assert cls.__name__ == name
        assert issubclass(cls, OSError)
        assert cls.__doc__ and cls.__doc__.strip()


@pytest.mark.parametrize("set_cls", list(ZIG_ORDER))
def test_set_members_in_zigs_order_and_by_inheritance(set_cls):
    names = ZIG_ORDER[set_cls].split()
    assert [m.__name__ for m in set_cls.members] == names
    for name in ZIG_26:
        assert issubclass(getattr(sockffi, name), set_cls) == (name in names), name


def test_union_is_all_five_sets():
    assert sorted(m.__name__ for m in sockffi.ListenError.members) == sorted(ZIG_26)
    for set_cls in ZIG_ORDER:
        assert issubclass(set_cls, sockffi.ListenError)
    assert sockffi.ListenError.members[-1] is sockffi.Unexpected
    assert sockffi.ListenError is not posix.ListenError


def test_except_clauses_catch_by_set():
    with pytest.raises(sockffi.BindError):
        raise sockffi.AddressInUse(errno.EADDRINUSE, "x")
    with pytest.raises(posix.ListenError):
        raise sockffi.AddressInUse(errno.EADDRINUSE, "x")
    with pytest.raises(sockffi.SocketError):
        raise sockffi.SystemResources(errno.ENOMEM, "x")
    with pytest.raises(sockffi.GetSockNameError):
        raise sockffi.SystemResources(errno.ENOBUFS, "x")


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (sockffi.AccessDenied, PermissionError),
        (sockffi.PermissionDenied, PermissionError),
        (sockffi.FileNotFound, FileNotFoundError),
        (sockffi.NotDir, NotADirectoryError),
    ],
)
def test_builtin_oserror_subclasses_kept(cls, builtin):
    assert issubclass(cls, builtin)
    e = cls(1, "x")
    assert e.errno == 1 and e.strerror == "x"


def test_caller_error_is_outside_every_set():
    assert issubclass(sockffi.CallerError, OSError)
    assert not issubclass(sockffi.CallerError, sockffi.ListenError)
    assert sockffi.CallerError not in sockffi.ListenError.members


def test_unexpected_keeps_the_code():
    with pytest.raises(sockffi.Unexpected) as info:
        sockffi.socket(sockffi.AF_INET, sockffi.SOCK_SEQPACKET)
    assert info.value.errno == errno.ESOCKTNOSUPPORT


def test_every_table_entry_names_a_member_of_its_syscalls_set():
    for table in (errors.POSIX, errors.WINDOWS):
        for key, entries in table.items():
            syscall = key if key in errors.STREAMS else key.split(".")[0]
            if syscall == "close":
                assert set(entries.values()) == {errors.UNREACHABLE}
                continue
            set_cls = getattr(errors, errors.CALL_SETS[syscall])
            for code, name in entries.items():
                if name != errors.UNREACHABLE:
                    assert issubclass(getattr(errors, name), set_cls), (key, code, name)


def test_departures_are_exactly_the_non_zig_entries():
    # Zig 0.15.2 posix.zig marks these unreachable; sockffi maps them to members.
    departed = {(s, c) for (p, s, c) in errors.DEPARTURES if p == "posix"}
    assert departed == {
        ("bind", "EINVAL"),
        ("bind", "ENOTSOCK"),
        ("setsockopt", "ENOTSOCK"),
        ("listen", "ENOTSUP"),
        ("setsockopt", "ENOTSUP"),
        # the connection calls (zig-spec-connections.md)
        ("accept", "ENOTSOCK"),
        ("accept", "EOPNOTSUPP"),
        ("accept", "ENOTSUP"),
        # the data path (zig-spec-io.md)
        ("send", "ENOTSOCK"),
        ("send", "ENETUNREACH"),
        ("send", "EHOSTUNREACH"),
        ("sendto", "ENOTSOCK"),
        ("recv", "ENOBUFS"),
        ("recvfrom", "ENOBUFS"),
        ("sendmsg", "ENOTSOCK"),
        ("sendmsg", "ECONNREFUSED"),
    }

"""Addresses round-trip with CPython's socket module in both directions."""

from __future__ import annotations

import os
import socket as std

import pytest
from conftest import LINUX

import sockffi


def _stdlib_twin(fd: int, family: int, kind: int) -> std.socket:
    return std.socket(family, kind, 0, os.dup(fd))


@pytest.mark.parametrize(
    "family, address",
    [
        (std.AF_INET, ("127.0.0.1", 0)),
        (std.AF_INET, ("127.0.0.2", 0)),
        (std.AF_INET, ("", 0)),
        (std.AF_INET, ("0.0.0.0", 0)),
        (std.AF_INET6, ("::1", 0)),
        (std.AF_INET6, ("::1", 0, 0, 0)),
        (std.AF_INET6, ("::1", 0, 5, 0)),
        (std.AF_INET6, ("::", 0, 0, 0)),
        (std.AF_INET6, ("::ffff:127.0.0.1", 0, 0, 0)),
        (std.AF_INET6, ("0:0:0:0:0:0:0:1", 0)),
    ],
)
@pytest.mark.parametrize("kind", [std.SOCK_STREAM, std.SOCK_DGRAM])
def test_sockffi_bind_reads_back_like_the_stdlib(family, address, kind, no_fd_leak):
    fd = sockffi.socket(family, kind)
    try:
        sockffi.bind(fd, address)
        with _stdlib_twin(fd, family, kind) as twin:
            assert sockffi.getsockname(fd) == twin.getsockname()
    finally:
        sockffi.close(fd)


@pytest.mark.parametrize(
    "family, address",
    [
        (std.AF_INET, ("127.0.0.1", 0)),
        (std.AF_INET6, ("::1", 0, 0, 0)),
        (std.AF_INET6, ("::1", 0, 0xFFFFF, 0)),
    ],
)
def test_stdlib_bind_reads_back_like_sockffi_and_feeds_back_in(family, address, no_fd_leak):
    with std.socket(family, std.SOCK_DGRAM) as s:
        s.bind(address)
        got = sockffi.getsockname(s)
        assert got == s.getsockname()
    # What sockffi returns binds again through the stdlib, unchanged.
    with std.socket(family, std.SOCK_DGRAM) as s2:
        s2.bind(got)
        assert s2.getsockname() == got


def test_unbound_sockets_read_back_like_the_stdlib(no_fd_leak):
    for family in (std.AF_INET, std.AF_INET6, std.AF_UNIX):
        with std.socket(family, std.SOCK_STREAM) as s:
            assert sockffi.getsockname(s) == s.getsockname()


def test_unix_path_str_bytes_and_pathlike(shortdir, no_fd_leak):
    import pathlib

    for _i, addr in enumerate(
        [os.path.join(shortdir, "a"), os.path.join(shortdir, "b").encode(), pathlib.Path(shortdir, "c")]
    ):
        fd = sockffi.socket(std.AF_UNIX, std.SOCK_STREAM)
        try:
            sockffi.bind(fd, addr)
            with _stdlib_twin(fd, std.AF_UNIX, std.SOCK_STREAM) as twin:
                assert sockffi.getsockname(fd) == twin.getsockname() == os.fsdecode(addr)
        finally:
            sockffi.close(fd)


def test_unix_path_of_exactly_the_maximum_length(shortdir, no_fd_leak):
    limit = sockffi._lib.SF_SUN_PATH_MAX - 1
    path = os.path.join(shortdir, "p" * (limit - len(shortdir) - 1))
    assert len(path) == limit
    fd = sockffi.socket(std.AF_UNIX, std.SOCK_STREAM)
    try:
        sockffi.bind(fd, path)
        assert sockffi.getsockname(fd) == path
    finally:
        sockffi.close(fd)


@pytest.mark.skipif(not LINUX, reason="abstract names are Linux-only")
def test_abstract_names_are_exact_bytes(no_fd_leak):
    name = f"\0sockffi-abs-{os.getpid()}-x"
    fd = sockffi.socket(std.AF_UNIX, std.SOCK_STREAM)
    try:
        sockffi.bind(fd, name)
        with _stdlib_twin(fd, std.AF_UNIX, std.SOCK_STREAM) as twin:
            assert sockffi.getsockname(fd) == twin.getsockname() == name.encode()
        # Exact length: no NUL padding, so the stdlib connects by the same name.
        sockffi.listen(fd)
        with std.socket(std.AF_UNIX) as c:
            c.connect(name)
    finally:
        sockffi.close(fd)


@pytest.mark.skipif(not LINUX, reason="Linux autobind")
def test_empty_unix_path_autobinds(no_fd_leak):
    fd = sockffi.socket(std.AF_UNIX, std.SOCK_STREAM)
    try:
        sockffi.bind(fd, "")
        name = sockffi.getsockname(fd)
        assert isinstance(name, bytes) and name[:1] == b"\0" and len(name) == 6
    finally:
        sockffi.close(fd)


def test_socket_objects_are_accepted_as_fds(no_fd_leak):
    with std.socket() as s:
        sockffi.bind(s, ("127.0.0.1", 0))
        sockffi.listen(s, 4)
        assert sockffi.getsockname(s) == s.getsockname()


@pytest.mark.parametrize(
    "address, exc, text",
    [
        (("localhost", 0), ValueError, "does not resolve"),
        (("example.invalid", 0), ValueError, "does not resolve"),
        (("127.1", 0), ValueError, "four-part form"),
        (("256.0.0.1", 0), ValueError, "numeric"),
        (("127.0.0.1\0x", 0), ValueError, "null"),
        (("::1::", 0), ValueError, "numeric"),
        (("::1", 0, 0, 0, 0), TypeError, "tuple"),
        (("127.0.0.1",), TypeError, "tuple"),
        ((1, 0), TypeError, "host"),
        (("127.0.0.1", -1), OverflowError, "0-65535"),
        (("127.0.0.1", 65536), OverflowError, "0-65535"),
        (("127.0.0.1", None), TypeError, "port"),
        (("127.0.0.1", True), TypeError, "port"),
        (("::1", 0, 1 << 20, 0), OverflowError, "flowinfo"),
        (("::1", 0, -1, 0), OverflowError, "flowinfo"),
        (("::1", 0, 0, 1 << 32), OverflowError, "scope_id"),
        (("::1%nosuchif0", 0), ValueError, "interface"),
        ("/tmp/a\0b", ValueError, "null"),
        (3.5, TypeError, "AF_UNIX"),
    ],
)
def test_malformed_addresses_raise_before_any_syscall(address, exc, text):
    # An fd that would fail with EBADF proves no syscall happened.
    with pytest.raises(exc, match=text):
        sockffi.bind(1_000_000, address)


@pytest.mark.parametrize(
    "fd, exc",
    [
        (-1, ValueError),
        (2**31, OverflowError),
        ("3", TypeError),
        (None, TypeError),
        (3.0, TypeError),
        (True, TypeError),
    ],
)
def test_malformed_fds_raise_before_any_syscall(fd, exc):
    for call in (
        lambda: sockffi.bind(fd, ("127.0.0.1", 0)),
        lambda: sockffi.listen(fd),
        lambda: sockffi.getsockname(fd),
        lambda: sockffi.setsockopt(fd, 1, 2, 1),
        lambda: sockffi.close(fd),
    ):
        with pytest.raises(exc):
            call()


@pytest.mark.parametrize(
    "args, exc",
    [
        ((std.AF_INET, "stream"), TypeError),
        ((std.AF_INET, std.SOCK_STREAM, 2**31), OverflowError),
        ((2**40, std.SOCK_STREAM), OverflowError),
        ((None, std.SOCK_STREAM), TypeError),
    ],
)
def test_malformed_socket_arguments(args, exc, no_fd_leak):
    with pytest.raises(exc):
        sockffi.socket(*args)


def test_intenum_constants_from_the_stdlib_are_accepted(no_fd_leak):
    fd = sockffi.socket(std.AF_INET, std.SOCK_STREAM, std.IPPROTO_TCP)
    sockffi.setsockopt(fd, std.SOL_SOCKET, std.SO_REUSEADDR, True)
    sockffi.close(fd)


def test_setsockopt_bytes_bytearray_memoryview(no_fd_leak):
    import struct

    fd = sockffi.socket(std.AF_INET, std.SOCK_STREAM)
    try:
        for value in (struct.pack("i", 1), bytearray(struct.pack("i", 1)), memoryview(struct.pack("i", 1))):
            sockffi.setsockopt(fd, std.SOL_SOCKET, std.SO_KEEPALIVE, value)
        with std.socket(fileno=os.dup(fd)) as s:
            assert s.getsockopt(std.SOL_SOCKET, std.SO_KEEPALIVE) == 1
        with pytest.raises(OverflowError):
            sockffi.setsockopt(fd, std.SOL_SOCKET, std.SO_KEEPALIVE, 2**31)
        with pytest.raises(TypeError):
            sockffi.setsockopt(fd, std.SOL_SOCKET, std.SO_KEEPALIVE, "1")
    finally:
        sockffi.close(fd)


def test_listen_backlog_range(no_fd_leak):
    fd = sockffi.socket(std.AF_INET, std.SOCK_STREAM)
    try:
        with pytest.raises(OverflowError):
            sockffi.listen(fd, -1)
        with pytest.raises(OverflowError):
            sockffi.listen(fd, 2**31)
        with pytest.raises(TypeError):
            sockffi.listen(fd, "1")
        sockffi.listen(fd, 2**31 - 1)  # the kernel clamps to somaxconn
        sockffi.listen(fd, 0)
    finally:
        sockffi.close(fd)

"""Every error Linux produces for real, driven through sockffi on the real kernel.

Each case asserts the exact class, its set (``except BindError`` catches it, and
the union ``except ListenError`` does too), ``errno`` and ``syscall``.
Recipes: shared/research/linux-triggers.md.
"""

from __future__ import annotations

import errno
import os
import socket as std
import struct

import pytest
from conftest import (
    assert_error,
    child_error,
    drop_root,
    needs_linux,
    needs_root,
    new_netns,
    readonly_dir,
    set_nofile,
    write_netns_sysctl,
)

import sockffi
from sockffi import posix

pytestmark = needs_linux

AF_INET, AF_INET6, AF_UNIX = sockffi.AF_INET, sockffi.AF_INET6, sockffi.AF_UNIX
STREAM, DGRAM = sockffi.SOCK_STREAM, sockffi.SOCK_DGRAM


@pytest.fixture
def tcp():
    fd = sockffi.socket(AF_INET, STREAM | sockffi.SOCK_CLOEXEC)
    yield fd
    sockffi.close(fd)


@pytest.fixture
def udp():
    fd = sockffi.socket(AF_INET, DGRAM | sockffi.SOCK_CLOEXEC)
    yield fd
    sockffi.close(fd)


@pytest.fixture
def unix_stream():
    fd = sockffi.socket(AF_UNIX, STREAM | sockffi.SOCK_CLOEXEC)
    yield fd
    sockffi.close(fd)


@pytest.fixture
def pipe_fd():
    r, w = os.pipe()
    yield r
    os.close(r)
    os.close(w)


def raises(fn, *args):
    with pytest.raises(OSError) as info:
        fn(*args)
    return info.value


# ------------------------------------------------------------------------ socket


def test_socket_eafnosupport():
    exc = raises(sockffi.socket, 46, STREAM)  # family >= AF_MAX
    assert_error(exc, sockffi.AddressFamilyNotSupported, errno.EAFNOSUPPORT, "socket")


def test_socket_einval_is_protocol_family_not_available():
    exc = raises(sockffi.socket, AF_INET, 11)  # type >= SOCK_MAX
    assert_error(exc, sockffi.ProtocolFamilyNotAvailable, errno.EINVAL, "socket")


def test_socket_eprotonosupport():
    exc = raises(sockffi.socket, AF_INET, STREAM, sockffi.IPPROTO_UDP)
    assert_error(exc, sockffi.ProtocolNotSupported, errno.EPROTONOSUPPORT, "socket")


def test_socket_esocktnosupport_is_unexpected_with_its_code():
    # Not in SocketError: Zig returns Unexpected; sockffi keeps the code.
    exc = raises(sockffi.socket, AF_INET, sockffi.SOCK_SEQPACKET)
    assert_error(exc, sockffi.Unexpected, errno.ESOCKTNOSUPPORT, "socket")


def test_socket_emfile_in_child():
    def child():
        set_nofile(0)
        sockffi.socket(AF_INET, STREAM)

    assert_error(child_error(child), sockffi.ProcessFdQuotaExceeded, errno.EMFILE, "socket")


@needs_root
def test_socket_eacces_ping_socket_in_new_netns():
    def child():
        new_netns()  # a new netns's ping_group_range is "1 0": nobody may
        sockffi.socket(AF_INET, DGRAM, 1)  # IPPROTO_ICMP

    assert_error(child_error(child), sockffi.AccessDenied, errno.EACCES, "socket")
    assert isinstance(child_error(child), PermissionError)


@needs_root
def test_socket_eperm_raw_as_nobody_is_unexpected():
    def child():
        drop_root()
        sockffi.socket(AF_INET, sockffi.SOCK_RAW, 1)

    assert_error(child_error(child), sockffi.Unexpected, errno.EPERM, "socket")


# -------------------------------------------------------------------------- bind


def test_bind_eaddrinuse(tcp):
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        exc = raises(sockffi.bind, tcp, server.address)
    assert_error(exc, sockffi.AddressInUse, errno.EADDRINUSE, "bind")
    assert isinstance(exc, posix.ListenError)  # AddressInUse is in listen(2)'s set too


def test_bind_eaddrinuse_ipv6():
    with sockffi.listen_tcp(("::1", 0)) as server:
        fd = sockffi.socket(AF_INET6, STREAM)
        try:
            exc = raises(sockffi.bind, fd, server.address)
        finally:
            sockffi.close(fd)
    assert_error(exc, sockffi.AddressInUse, errno.EADDRINUSE, "bind")


def test_bind_eaddrinuse_abstract_unix(unix_stream):
    name = f"\0sockffi-test-{os.getpid()}-{id(unix_stream)}"
    holder = sockffi.socket(AF_UNIX, STREAM)
    try:
        sockffi.bind(holder, name)
        exc = raises(sockffi.bind, unix_stream, name)
    finally:
        sockffi.close(holder)
    assert_error(exc, sockffi.AddressInUse, errno.EADDRINUSE, "bind")


@pytest.mark.parametrize("address", [("198.51.100.1", 0), ("2001:db8::1", 0)])
def test_bind_eaddrnotavail(address):
    family = AF_INET6 if ":" in address[0] else AF_INET
    fd = sockffi.socket(family, STREAM)
    try:
        exc = raises(sockffi.bind, fd, address)
    finally:
        sockffi.close(fd)
    assert_error(exc, sockffi.AddressNotAvailable, errno.EADDRNOTAVAIL, "bind")


def test_bind_ipv6_address_on_ipv4_socket_is_eafnosupport(tcp):
    exc = raises(sockffi.bind, tcp, ("::1", 0))
    assert_error(exc, sockffi.AddressFamilyNotSupported, errno.EAFNOSUPPORT, "bind")


def test_bind_ipv4_address_on_ipv6_socket_names_the_family():
    # Linux checks the length before the family and answers EINVAL; sockffi
    # tells this apart from "already bound" and names the family mismatch.
    fd = sockffi.socket(AF_INET6, STREAM)
    try:
        exc = raises(sockffi.bind, fd, ("127.0.0.1", 0))
    finally:
        sockffi.close(fd)
    assert_error(exc, sockffi.AddressFamilyNotSupported, errno.EINVAL, "bind")


def test_bind_twice_is_already_bound(tcp):
    sockffi.bind(tcp, ("127.0.0.1", 0))
    exc = raises(sockffi.bind, tcp, ("127.0.0.1", 0))
    assert_error(exc, sockffi.AlreadyBound, errno.EINVAL, "bind")


def test_bind_unix_twice_is_already_bound(unix_stream, shortdir):
    sockffi.bind(unix_stream, os.path.join(shortdir, "a"))
    exc = raises(sockffi.bind, unix_stream, os.path.join(shortdir, "b"))
    assert_error(exc, sockffi.AlreadyBound, errno.EINVAL, "bind")


def test_bind_eloop(unix_stream, shortdir):
    os.symlink(os.path.join(shortdir, "b"), os.path.join(shortdir, "a"))
    os.symlink(os.path.join(shortdir, "a"), os.path.join(shortdir, "b"))
    exc = raises(sockffi.bind, unix_stream, os.path.join(shortdir, "a", "s"))
    assert_error(exc, sockffi.SymLinkLoop, errno.ELOOP, "bind")


def test_bind_enametoolong_from_the_kernel(unix_stream, shortdir):
    # The path fits sun_path; a component behind the symlink exceeds NAME_MAX.
    os.symlink("/tmp/" + "x" * 300, os.path.join(shortdir, "l"))
    exc = raises(sockffi.bind, unix_stream, os.path.join(shortdir, "l", "s"))
    assert_error(exc, sockffi.NameTooLong, errno.ENAMETOOLONG, "bind")


def test_bind_path_longer_than_sun_path_is_name_too_long_before_the_call(unix_stream):
    limit = sockffi._lib.SF_SUN_PATH_MAX
    exc = raises(sockffi.bind, unix_stream, "/tmp/" + "x" * limit)
    assert_error(exc, sockffi.NameTooLong, errno.ENAMETOOLONG, "bind")
    # Exactly the limit (107 bytes + NUL) still reaches the kernel: ENOENT here.
    exc = raises(sockffi.bind, unix_stream, "/nonexistent-dir/" + "y" * (limit - 1 - 17))
    assert type(exc) is sockffi.FileNotFound


def test_bind_enoent(unix_stream, shortdir):
    exc = raises(sockffi.bind, unix_stream, os.path.join(shortdir, "missing", "s"))
    assert_error(exc, sockffi.FileNotFound, errno.ENOENT, "bind")
    assert isinstance(exc, FileNotFoundError)


def test_bind_enotdir(unix_stream, shortdir):
    open(os.path.join(shortdir, "f"), "w").close()
    exc = raises(sockffi.bind, unix_stream, os.path.join(shortdir, "f", "s"))
    assert_error(exc, sockffi.NotDir, errno.ENOTDIR, "bind")
    assert isinstance(exc, NotADirectoryError)


@needs_root
def test_bind_erofs_in_private_mount_ns(shortdir):
    def child():
        readonly_dir(shortdir)
        fd = sockffi.socket(AF_UNIX, STREAM)
        sockffi.bind(fd, os.path.join(shortdir, "s"))

    assert_error(child_error(child), sockffi.ReadOnlyFileSystem, errno.EROFS, "bind")


@needs_root
def test_bind_eacces_low_port_as_nobody():
    def child():
        drop_root()
        fd = sockffi.socket(AF_INET, STREAM)
        sockffi.bind(fd, ("127.0.0.1", 80))

    exc = child_error(child)
    assert_error(exc, sockffi.AccessDenied, errno.EACCES, "bind")
    assert isinstance(exc, PermissionError)


@needs_root
def test_bind_eacces_unix_dir_as_nobody(shortdir):
    os.chmod(shortdir, 0o755)

    def child():
        drop_root()
        fd = sockffi.socket(AF_UNIX, STREAM)
        sockffi.bind(fd, os.path.join(shortdir, "s"))

    assert_error(child_error(child), sockffi.AccessDenied, errno.EACCES, "bind")


def test_bind_enotsock(pipe_fd):
    # Zig: unreachable. sockffi: the member Windows uses for the same condition.
    exc = raises(sockffi.bind, pipe_fd, ("127.0.0.1", 0))
    assert_error(exc, sockffi.FileDescriptorNotASocket, errno.ENOTSOCK, "bind")


# ------------------------------------------------------------------------ listen


def test_listen_eaddrinuse_two_reuseaddr_sockets():
    a = sockffi.socket(AF_INET, STREAM)
    b = sockffi.socket(AF_INET, STREAM)
    try:
        for fd in (a, b):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)
        sockffi.bind(a, ("127.0.0.1", 0))
        sockffi.bind(b, sockffi.getsockname(a))
        sockffi.listen(a)
        exc = raises(sockffi.listen, b)
    finally:
        sockffi.close(a)
        sockffi.close(b)
    assert_error(exc, sockffi.AddressInUse, errno.EADDRINUSE, "listen")


@needs_root
def test_listen_eaddrinuse_ephemeral_ports_exhausted_in_netns():
    def child():
        new_netns()
        write_netns_sysctl("net/ipv4/ip_local_port_range", "40000 40000")
        holder = sockffi.socket(AF_INET, STREAM)
        sockffi.bind(holder, ("127.0.0.1", 40000))
        fd = sockffi.socket(AF_INET, STREAM)
        sockffi.listen(fd)  # autobind finds no free port

    assert_error(child_error(child), sockffi.AddressInUse, errno.EADDRINUSE, "listen")


def test_listen_eopnotsupp_on_udp(udp):
    exc = raises(sockffi.listen, udp)
    assert_error(exc, sockffi.OperationNotSupported, errno.EOPNOTSUPP, "listen")


def test_listen_enotsock(pipe_fd):
    exc = raises(sockffi.listen, pipe_fd)
    assert_error(exc, sockffi.FileDescriptorNotASocket, errno.ENOTSOCK, "listen")


def test_listen_einval_on_connected_socket_is_unexpected():
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        client = std.create_connection(server.address)
        try:
            exc = raises(sockffi.listen, client)
        finally:
            client.close()
    assert_error(exc, sockffi.Unexpected, errno.EINVAL, "listen")


# -------------------------------------------------------------------- setsockopt


def test_setsockopt_enoprotoopt(tcp):
    exc = raises(sockffi.setsockopt, tcp, sockffi.SOL_SOCKET, 9999, 1)
    assert_error(exc, sockffi.InvalidProtocolOption, errno.ENOPROTOOPT, "setsockopt")


def test_setsockopt_edom(tcp):
    exc = raises(sockffi.setsockopt, tcp, sockffi.SOL_SOCKET, sockffi.SO_RCVTIMEO, struct.pack("ll", 0, 1_000_000))
    assert_error(exc, sockffi.TimeoutTooBig, errno.EDOM, "setsockopt")


def test_setsockopt_enodev(tcp):
    SO_BINDTODEVICE = 25
    exc = raises(sockffi.setsockopt, tcp, sockffi.SOL_SOCKET, SO_BINDTODEVICE, b"nonexist0\0")
    assert_error(exc, sockffi.NoDevice, errno.ENODEV, "setsockopt")


def test_setsockopt_enobufs_ip_msfilter(udp):
    IP_MSFILTER, numsrc = 41, 11  # more sources than igmp_max_msf (10)
    value = struct.pack("4s4sII", bytes(4), bytes(4), 0, numsrc) + bytes(4 * numsrc)
    exc = raises(sockffi.setsockopt, udp, sockffi.IPPROTO_IP, IP_MSFILTER, value)
    assert_error(exc, sockffi.SystemResources, errno.ENOBUFS, "setsockopt")


@needs_root
def test_setsockopt_enomem_filter_over_optmem_max_in_netns():
    def child():
        new_netns()
        write_netns_sysctl("net/core/optmem_max", "64")
        fd = sockffi.socket(AF_INET, DGRAM)
        SO_ATTACH_FILTER = 26
        import ctypes

        insn = (ctypes.c_uint8 * 8)(*struct.pack("HBBI", 0x06, 0, 0, 0xFFFF))  # ret #0xffff
        fprog = struct.pack("HxxxxxxP", 1, ctypes.addressof(insn))
        sockffi.setsockopt(fd, sockffi.SOL_SOCKET, SO_ATTACH_FILTER, fprog)

    assert_error(child_error(child), sockffi.SystemResources, errno.ENOMEM, "setsockopt")


@needs_root
def test_setsockopt_eperm_as_nobody():
    def child():
        drop_root()
        fd = sockffi.socket(AF_INET, STREAM)
        SO_PRIORITY = 12
        sockffi.setsockopt(fd, sockffi.SOL_SOCKET, SO_PRIORITY, 7)

    exc = child_error(child)
    assert_error(exc, sockffi.PermissionDenied, errno.EPERM, "setsockopt")
    assert isinstance(exc, PermissionError)


def test_setsockopt_eopnotsupp_reuseport_on_unix(unix_stream):
    if not hasattr(sockffi, "SO_REUSEPORT"):
        pytest.skip("no SO_REUSEPORT")
    try:
        sockffi.setsockopt(unix_stream, sockffi.SOL_SOCKET, sockffi.SO_REUSEPORT, 1)
    except sockffi.OperationNotSupported as exc:
        assert_error(exc, sockffi.OperationNotSupported, errno.EOPNOTSUPP, "setsockopt")
    else:
        pytest.skip("this kernel (< 6.12.9) accepts SO_REUSEPORT on AF_UNIX")


def test_setsockopt_enotsock(pipe_fd):
    exc = raises(sockffi.setsockopt, pipe_fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1)
    assert_error(exc, sockffi.FileDescriptorNotASocket, errno.ENOTSOCK, "setsockopt")


# ------------------------------------------------------------------- getsockname


def test_getsockname_enotsock(pipe_fd):
    exc = raises(sockffi.getsockname, pipe_fd)
    assert_error(exc, sockffi.FileDescriptorNotASocket, errno.ENOTSOCK, "getsockname")


# ------------------------------------------------- caller bugs: outside every set


def _closed_fd() -> int:
    fd = sockffi.socket(AF_INET, STREAM)
    sockffi.close(fd)
    return fd


@pytest.mark.parametrize(
    "call",
    [
        lambda fd: sockffi.bind(fd, ("127.0.0.1", 0)),
        lambda fd: sockffi.listen(fd),
        lambda fd: sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, 1),
        lambda fd: sockffi.getsockname(fd),
        lambda fd: sockffi.close(fd),
    ],
    ids=["bind", "listen", "setsockopt", "getsockname", "close"],
)
def test_ebadf_is_a_caller_bug_outside_every_set(call):
    # In a child: a closed fd number must not be reused by another thread meanwhile.
    def child():
        call(_closed_fd())

    exc = child_error(child)
    assert type(exc) is sockffi.CallerError
    assert exc.errno == errno.EBADF
    assert not isinstance(exc, sockffi.ListenError)
    for cls in (
        sockffi.SocketError,
        sockffi.BindError,
        posix.ListenError,
        sockffi.SetSockOptError,
        sockffi.GetSockNameError,
    ):
        assert not isinstance(exc, cls)
    assert "calling code" in str(exc)


def test_setsockopt_einval_is_a_caller_bug(tcp):
    exc = raises(sockffi.setsockopt, tcp, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, b"\1\0")
    assert type(exc) is sockffi.CallerError and exc.errno == errno.EINVAL
    assert exc.syscall == "setsockopt"


def test_the_process_survives_a_caller_bug():
    fd = _closed_fd_in_this_process_safely()
    with pytest.raises(sockffi.CallerError):
        sockffi.getsockname(fd)
    assert sockffi.listen_tcp(("127.0.0.1", 0)).close() is None


def _closed_fd_in_this_process_safely() -> int:
    # A number far above anything this process opens, so no thread can reuse it.
    return 1_000_000

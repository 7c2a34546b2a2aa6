"""Messages a newcomer reads: each says what was wrong with that input, and a
value that would work."""

from __future__ import annotations

import os
import socket

import pytest

import sockffi


@pytest.mark.parametrize("make", ["bind", "listen_tcp"])
def test_an_ipv4_host_in_an_ipv6_address_is_called_what_it_is(make):
    address = ("127.0.0.1", 0, 0, 0)
    with pytest.raises(ValueError) as info:
        if make == "bind":
            fd = sockffi.socket(sockffi.AF_INET6, sockffi.SOCK_STREAM)
            try:
                sockffi.bind(fd, address)
            finally:
                sockffi.close(fd)
        else:
            sockffi.listen_tcp(address)
    said = str(info.value)
    assert "is an IPv4 address" in said and "resolve" not in said
    assert "'::1'" in said and "('127.0.0.1', port)" in said


def test_a_host_name_is_refused_with_a_literal_of_its_family():
    with pytest.raises(ValueError, match=r"does not resolve host names: pass a literal, such as '127\.0\.0\.1'"):
        sockffi.listen_tcp(("localhost", 0))


@pytest.mark.parametrize("host", ["１２７．０．０．１", "127。0。0。1"])
def test_unicode_digits_mean_what_they_mean_to_cpython(host):
    with socket.socket() as s:
        s.bind((host, 0))
        expected = s.getsockname()[0]
    with sockffi.listen_tcp((host, 0)) as server:
        assert server.address[0] == expected == "127.0.0.1"


@pytest.mark.parametrize("address", ["127.0.0.1:0", "[::1]:0", b"/tmp/x"])
def test_a_path_like_address_on_an_ip_socket_is_a_type_error_as_in_cpython(address):
    with socket.socket() as s, pytest.raises(TypeError):
        s.bind(address)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(TypeError) as info:
            sockffi.bind(fd, address)
    finally:
        sockffi.close(fd)
    assert "must be a (host, port) tuple" in str(info.value)
    if address == "127.0.0.1:0":
        assert "('127.0.0.1', 0)" in str(info.value)


def test_a_closed_objects_error_keeps_the_os_text_and_explains_in_str():
    server = sockffi.listen_tcp(("127.0.0.1", 0))
    server.close()
    with pytest.raises(sockffi.CallerError) as info:
        sockffi.listen(server)
    code = info.value.errno
    assert info.value.strerror == os.strerror(code)
    assert "the Server is closed: its fileno() is -1" in str(info.value)


def test_an_embedded_nul_in_a_unix_path_is_refused_where_cpython_truncates(shortdir):
    path = os.path.join(shortdir, "a")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(path + "\0b")
        assert s.getsockname() == path  # CPython: the part before the NUL
    os.unlink(path)
    fd = sockffi.socket(sockffi.AF_UNIX, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(ValueError, match="embedded null"):
            sockffi.bind(fd, path + "\0b")
    finally:
        sockffi.close(fd)
    assert not os.path.exists(path)
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "cpython.rst").read_text()
    assert "embedded NUL" in page  # a documented departure


@pytest.mark.parametrize(
    "text, says",
    [
        (
            "localhost:8080",
            "'localhost' is a host name, and sockffi does not resolve names: give a literal, such as '127.0.0.1:8080'",
        ),
        ("::1:0", "an IPv6 host goes in brackets, before the port: '[::1]:0'"),
        ("127.0.0.1:0 ", "has white space around it: '127.0.0.1:0'"),
        ("127.0.0.1:http", "the port 'http' in '127.0.0.1:http' is not a number"),
        (":0", "'0.0.0.0:0' for every IPv4 interface, '[::]:0' for every IPv6 one"),
        ("[::1]", "give '[V6HOST]:PORT', such as '[::1]:8080'"),
    ],
)
def test_the_cli_says_what_is_wrong_with_that_host_port(text, says):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "sockffi", "listen", text],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert says in done.stderr, done.stderr
    assert "is not an address" not in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize("text", ["::1:0", "127.0.0.1:0 ", "127.0.0.1:http", ":0"])
def test_listen_tcp_strings_get_the_same_reasons(text):
    with pytest.raises(ValueError) as info:
        sockffi.listen_tcp(text)
    assert "a bare host or port is not enough" not in str(info.value)


def test_an_index_object_out_of_range_names_value():
    idx = type("Idx", (), {"__index__": lambda self: 2**40})
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(OverflowError, match="value must be"):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, idx())
    finally:
        sockffi.close(fd)


def test_a_strided_buffer_is_a_buffer_error_as_in_cpython():
    value = memoryview(b"\1\0\0\0\0\0\0\0")[::2]
    with socket.socket() as s, pytest.raises(BufferError):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, value)
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with pytest.raises(BufferError):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, sockffi.SO_REUSEADDR, value)
    finally:
        sockffi.close(fd)


def test_the_scope_an_error_shows_is_the_one_the_syscall_got():
    fd = sockffi.socket(sockffi.AF_INET6, sockffi.SOCK_DGRAM)
    try:
        with pytest.raises(sockffi.BindError) as info:
            sockffi.bind(fd, ("fe80::1%1", 0, 0, 2))  # scope_id 2 wins over %1
    finally:
        sockffi.close(fd)
    assert "[fe80::1%2]:0" in str(info.value) and "%1" not in str(info.value)


@pytest.mark.skipif(not hasattr(socket, "SO_PRIORITY"), reason="SO_PRIORITY is Linux's")
def test_the_trace_names_the_options_the_recipes_use():
    import sockffi.trace

    seen = []
    fd = sockffi.socket(sockffi.AF_INET, sockffi.SOCK_STREAM)
    try:
        with sockffi.trace.observe(seen.append):
            sockffi.setsockopt(fd, sockffi.SOL_SOCKET, socket.SO_PRIORITY, 0)
    finally:
        sockffi.close(fd)
    assert seen[0].args[2] == "SO_PRIORITY", seen[0].format()

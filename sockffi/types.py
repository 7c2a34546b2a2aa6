"""Type aliases for annotating code that uses sockffi.

sockffi's own annotations use them, and typing.get_type_hints() resolves them.
"""

from __future__ import annotations

import os
from typing import Protocol, Union

__all__ = ["Address", "Buffer", "FileDescriptor", "HasFileno", "IPv4Address", "IPv6Address", "UnixAddress"]


class HasFileno(Protocol):
    def fileno(self) -> int: ...


#: An fd as an int, or any object with ``fileno()`` (a ``socket.socket``, a ``Server``).
FileDescriptor = Union[int, HasFileno]
#: ``(host, port)``: host is a numeric IPv4 literal ('' means any).
IPv4Address = tuple[str, int]
#: ``(host, port, flowinfo, scope_id)``, as CPython's AF_INET6 addresses.
IPv6Address = tuple[str, int, int, int]
#: A path (a leading NUL: a Linux abstract name).
UnixAddress = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]
#: What :func:`sockffi.bind` accepts: an IP tuple or an AF_UNIX path.
#: (:func:`sockffi.listen_tcp` takes the IP tuples, or a numeric ``'HOST:PORT'``
#: string; :func:`sockffi.listen_unix` the paths.)
Address = Union[IPv4Address, tuple[str, int, int], IPv6Address, UnixAddress]
#: A bytes-like setsockopt value.
Buffer = Union[bytes, bytearray, memoryview]

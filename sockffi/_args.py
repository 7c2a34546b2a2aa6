"""The checks every argument passes before it may reach C: each turns what a
caller gave into exactly what the C call takes (an int in its range, a view of
a buffer, milliseconds), or raises TypeError, ValueError or OverflowError
naming the argument, before any syscall."""

from __future__ import annotations

from ._seam import FD_MAX, INT_MAX, INT_MIN
from ._sockffi import ffi, lib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any

_type = type


def c_int(value: Any, what: str, low: int = INT_MIN, high: int = INT_MAX) -> int:
    """An int argument in a C int's range, named in the error. An object that is
    not an int may still be one by __index__ (CPython's rule); an int subclass
    gives its own value."""
    if _type(value) is not int:
        if isinstance(value, bool) or not (isinstance(value, int) or hasattr(_type(value), "__index__")):
            raise TypeError(f"{what} must be an int, not {_type(value).__name__}")
        value = int.__index__(value) if isinstance(value, int) else _index(value)
    if not low <= value <= high:
        raise OverflowError(f"{what} must be {low}-{high}, not {value}")
    return int(value)


def _index(value: Any) -> int:
    import operator

    result: int = operator.index(value)
    return int.__index__(result)


def data_of(data: Any, what: str = "data") -> Any:
    """A bytes-like argument (anything with a C-contiguous buffer: bytes,
    bytearray, memoryview, array.array ...) as a C view of its bytes; its length
    is the buffer's byte count, never what a __len__ says. The view holds the
    buffer exported (a bytearray cannot be resized under the call)."""
    if isinstance(data, str):
        raise TypeError(f"{what} must be a bytes-like object, not str (encode it first)")
    try:
        return ffi.from_buffer(data)
    except (TypeError, BufferError, ValueError) as exc:
        if isinstance(data, memoryview) or hasattr(_type(data), "__buffer__") or "contiguous" in str(exc):
            raise TypeError(f"{what} must be a C-contiguous bytes-like object: {exc}") from None
        raise TypeError(f"{what} must be a bytes-like object, not {_type(data).__name__}") from None


#: New C buffers that are not zeroed first: what a receive allocates, the
#: kernel writes (and only what it wrote is read back).
_raw = ffi.new_allocator(should_clear_after_alloc=False)
_CHARS = ffi.typeof("char[]")
_LONGS = ffi.typeof("long long[]")


def chars(size: int) -> Any:
    return _raw(_CHARS, size)


#: Receive buffers of POOLED bytes that no call holds (a call pops one and
#: gives it back after copying out what it received; one lost to an
#: exception in between is just not given back).
POOLED = 65536
POOL: list[Any] = []


def froms() -> Any:
    """sf_recvfrom's `from`: the packed source address, then a name buffer."""
    return _raw(_LONGS, lib.SF_FROM_LONGS)


#: `from` buffers no call holds, pooled as the receive buffers are (given back
#: once the source address is decoded into Python objects).
FROMS: list[Any] = []


_CHARPS = ffi.typeof("char *[]")
_SIZES = ffi.typeof("size_t[]")


def buffers_of(buffers: Any) -> tuple[Any, Any, int, list[Any]]:
    """sendmsg's buffers (an iterable of bytes-like objects, read once) as C's
    pointer and length arrays, with the views that hold them."""
    if isinstance(buffers, (bytes, bytearray, memoryview, str)):
        raise TypeError(
            f"buffers must be an iterable of bytes-like objects (sendmsg(fd, [data])), not {_type(buffers).__name__}"
        )
    try:
        items = list(buffers)
    except TypeError:
        raise TypeError(f"buffers must be an iterable of bytes-like objects, not {_type(buffers).__name__}") from None
    views = [data_of(item, "each buffer") for item in items]
    return _raw(_CHARPS, views), _raw(_SIZES, [len(v) for v in views]), len(views), views


def size_of(size: Any, what: str = "size") -> int:
    """How many bytes to receive: an int >= 0 (CPython's ValueError for a
    negative one)."""
    if _type(size) is not int:
        if isinstance(size, bool) or not (isinstance(size, int) or hasattr(_type(size), "__index__")):
            raise TypeError(f"{what} must be an int, not {_type(size).__name__}")
        size = int.__index__(size) if isinstance(size, int) else _index(size)
    if size < 0:
        raise ValueError(f"negative {what} ({size})")
    return int(size)


def writable_of(buffer: Any, what: str = "buffer") -> Any:
    """A writable, C-contiguous buffer (bytearray, memoryview, array.array,
    mmap ...) as a C view of its bytes, held exported while the call runs."""
    if _type(buffer) is bytearray:  # always writable: the cheaper view
        return ffi.from_buffer(buffer)
    try:
        return ffi.from_buffer(buffer, require_writable=True)
    except (TypeError, BufferError, ValueError) as exc:
        if isinstance(buffer, (bytes, str)) or "writable" in str(exc) or "read-only" in str(exc):
            raise TypeError(f"{what} must be a writable bytes-like object, not {_type(buffer).__name__}") from None
        if "contiguous" in str(exc):
            raise TypeError(f"{what} must be a C-contiguous buffer: {exc}") from None
        raise TypeError(f"{what} must be a writable bytes-like object, not {_type(buffer).__name__}") from None


def into_size(size: Any, view: Any) -> int:
    """recv_into's size: None or 0 means the whole buffer (CPython's rule);
    never more than the buffer holds."""
    capacity: int = len(view)
    if size is None or (size == 0 and _type(size) is int):
        return capacity
    wanted = size_of(size)
    if wanted == 0:
        return capacity
    if wanted > capacity:
        raise ValueError(f"size {wanted} is larger than the buffer ({capacity} bytes)")
    return wanted


def backlog_of(backlog: Any) -> int:
    """0 to 2**31-1, Zig's u31."""
    return c_int(backlog, "backlog", 0, INT_MAX)


def flag(value: Any, what: str) -> bool:
    """One rule for every option flag: a bool, or an int that is 0 or 1."""
    if value is True or value is False:
        return value
    if isinstance(value, int) and int.__index__(value) in (0, 1):
        return bool(int.__index__(value))
    raise TypeError(f"{what} must be True or False (or 0 or 1), not {value!r}")


def how_of(how: Any) -> int:
    """shutdown's how: SHUT_RD, SHUT_WR or SHUT_RDWR (0, 1, 2 everywhere)."""
    value = c_int(how, "how")
    if value not in (lib.SHUT_RD, lib.SHUT_WR, lib.SHUT_RDWR):
        raise ValueError(
            f"how must be SHUT_RD, SHUT_WR or SHUT_RDWR ({lib.SHUT_RD}, {lib.SHUT_WR}, {lib.SHUT_RDWR}), not {value}"
        )
    return value


def poll_ms(timeout: Any) -> int:
    """poll's timeout in milliseconds, as select.poll takes it: None or
    negative is -1 (for ever), a fraction is rounded up, at most a C int."""
    if timeout is None:
        return -1
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of milliseconds or None, not {_type(timeout).__name__}")
    if isinstance(timeout, float):
        import math

        value = float.__float__(timeout)
        if math.isnan(value):
            raise ValueError("timeout must not be NaN")
        if value < 0:
            return -1
        if value > INT_MAX:
            raise OverflowError(f"timeout must be at most {INT_MAX} milliseconds, not {timeout!r}")
        return math.ceil(value)
    ms = int.__index__(timeout)
    if ms < 0:
        return -1
    if ms > INT_MAX:
        raise OverflowError(f"timeout must be at most {INT_MAX} milliseconds, not {ms}")
    return ms


def timeout_ms(timeout: Any) -> int:
    """A connect timeout in seconds (int or float, > 0, finite) as whole
    milliseconds, rounded up, so a wait never ends before it was meant to. A
    subclass gives its value, not what its own __float__ says."""
    import math

    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds or None, not {_type(timeout).__name__}")
    try:
        seconds = float.__float__(timeout) if isinstance(timeout, float) else float(int.__index__(timeout))
    except OverflowError:  # an int too large for a float
        shown = repr(timeout)
        shown = shown if len(shown) <= 40 else f"{shown[:20]}... ({len(shown)} digits)"
        raise OverflowError(f"timeout must be at most {INT_MAX // 1000} seconds, not {shown}") from None
    if not math.isfinite(seconds):
        raise ValueError(f"timeout must be a finite number of seconds, not {timeout!r}")
    if seconds <= 0:
        raise ValueError(
            f"timeout must be more than 0 seconds (nonblocking=True does not wait at all), not {timeout!r}"
        )
    if seconds > INT_MAX / 1000:
        raise OverflowError(f"timeout must be at most {INT_MAX // 1000} seconds, not {timeout!r}")
    return max(1, math.ceil(seconds * 1000))


def overflow(syscall: str, **ints: object) -> OverflowError:
    """cffi's 'integer ... does not fit' for a call, said with the argument's name."""
    for name, value in ints.items():
        high = FD_MAX if name == "fd" else INT_MAX
        low = 0 if name in ("fd", "backlog") else INT_MIN
        if isinstance(value, int) and not low <= value <= high:
            return OverflowError(f"{syscall}: {name} must be {low}-{high}, not {value}")
    return OverflowError(f"{syscall}: an argument does not fit its C type")

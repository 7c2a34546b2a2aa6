"""The one boundary between sockffi's Python and its C.

Everything that touches the generated module goes through here: the raw C
calls (one namespace, ``C``, which :mod:`sockffi.trace` swaps explicitly), the
result layouts the C exports, the per-call error tables, the step from a C
result to an exception, the fd cells, and the checks every argument passes
before it may reach C. posix, net and trace use this module; none of them
reaches into another's globals.
"""

from __future__ import annotations

import os
import sys
from _thread import RLock

from . import errors
from ._sockffi import ffi, lib

if sys.platform == "win32":
    from . import _windows as _platform
else:
    from . import _posix as _platform

#: The platform backend (_posix or _windows), chosen once: the only place that knows.
backend = _platform

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (~2 ms)
if TYPE_CHECKING:
    from typing import Any, Callable, Optional

    ErrorTable = dict[int, type]
    Layer = Callable[[str, Any], Any]

_type = type

# ----------------------------------------------------------------- the C's layouts

CODE_MASK: int = lib.SF_CODE_MASK
AUX: int = lib.SF_AUX
STARTUP: int = lib.SF_STARTUP
REJECTED: int = lib.SF_REJECTED
BOUND: int = lib.SF_BOUND
OTHER_FAMILY: int = lib.SF_OTHER_FAMILY
STILL_OPEN: int = lib.SF_STILL_OPEN
STEP_SHIFT: int = lib.SF_STEP_SHIFT
GSN_IN6: int = lib.SF_GSN_IN6
GSN_OTHER: int = lib.SF_GSN_OTHER
IN6_ID_SHIFT: int = lib.SF_IN6_ID_SHIFT
LISTEN4_FD_SHIFT: int = lib.SF_LISTEN4_FD_SHIFT
LISTEN4_DIFFERS: int = lib.SF_LISTEN4_DIFFERS
ADDR_CAP: int = lib.SF_ADDR_CAP

#: The syscall each step of a composed listen names.
STEPS: dict[int, str] = {
    lib.SF_STEP_SOCKET: "socket",
    lib.SF_STEP_REUSEADDR: "setsockopt",
    lib.SF_STEP_REUSEPORT: "setsockopt",
    lib.SF_STEP_V6ONLY: "setsockopt",
    lib.SF_STEP_BIND: "bind",
    lib.SF_STEP_LISTEN: "listen",
    lib.SF_STEP_GETSOCKNAME: "getsockname",
    lib.SF_STEP_CONNECT: "connect",
}

#: Errors carry winerror (Windows): the one platform fact the error paths read.
WINERROR: bool = backend.WINERROR

# ----------------------------------------------------------------- the raw calls


#: The one-crossing composed calls: a layer that must see each step sets them
#: aside (None), and the helpers then take their step paths.
ONE_CROSSING = ("listen_in4", "listen_in6", "listen_un", "connect_tcp4", "connect_tcp6", "connect_unix")


class Calls:
    """The C calls sockffi makes, one attribute each (the type of :data:`C`,
    for type checkers). Every caller reads C's attributes at call time, so
    replacing one (:func:`swap`, used by sockffi.trace) changes every path at
    once, and nothing is replaced while nobody asks."""

    #: Every syscall record's helpers, the one-crossing composed calls, and
    #: the two steps connect_tcp's timeout= takes that no record names (poll, fcntl).
    NAMES = tuple(
        sorted(
            {helper for record in errors.RECORDS.values() for helper in record.helpers}
            | set(ONE_CROSSING)
            | {"wait_connect", "set_nonblocking"}
        )
    )

    socket: Callable[[int, int, int], int]
    socket_cell: Callable[[Any, int, int, int], int]
    bind_in4: Callable[[int, int, int], int]
    bind_in6: Callable[[int, bytes, int, int, int], int]
    bind_un: Callable[[int, bytes, int], int]
    bind_un_cell: Callable[[Any, bytes, int], int]
    listen: Callable[[int, int], int]
    setsockopt_int: Callable[[int, int, int, int], int]
    setsockopt: Callable[[int, int, int, bytes, int], int]
    getsockname: Callable[[int], int]
    getsockname_into: Callable[[int, Any, int], int]
    close: Callable[[int], int]
    cell_close: Callable[[Any], int]
    accept: Callable[[Any, int, int], int]
    accept_emulated: Callable[[Any, int, int], int]
    connect_in4: Callable[[int, int, int], int]
    connect_in6: Callable[[int, bytes, int, int, int], int]
    connect_un: Callable[[int, bytes, int], int]
    getpeername: Callable[[int], int]
    getpeername_into: Callable[[int, Any, int], int]
    getsockopt_int: Callable[[int, int, int], int]
    getsockopt: Callable[[int, int, int, Any, int], int]
    getsockopt_error: Callable[[int], int]
    shutdown: Callable[[int, int], int]
    wait_connect: Callable[[int, int], int]
    set_nonblocking: Callable[[int, int], int]
    # The one-crossing listens; None while traced, so each step is its own call.
    listen_in4: Optional[Callable[[Any, int, int, int, int, int], int]]
    listen_in6: Optional[Callable[[Any, int, bytes, int, int, int, int, int], int]]
    listen_un: Optional[Callable[[Any, int, bytes, int, int, Any], int]]
    # The one-crossing connects (socket, connect), likewise.
    connect_tcp4: Optional[Callable[[Any, int, int, int], int]]
    connect_tcp6: Optional[Callable[[Any, int, bytes, int, int, int], int]]
    connect_unix: Optional[Callable[[Any, int, bytes, int], int]]


#: The C functions as compiled.
RAW: dict[str, Any] = {name: getattr(lib, "sf_" + name) for name in Calls.NAMES}
#: The namespace itself: a bare module object, whose attributes are the
#: cheapest to read on every call (a plain global is hardly faster).
C: Calls = type(sys)("sockffi._seam.C")  # type: ignore[assignment]
for _name, _fn in RAW.items():
    setattr(C, _name, _fn)
del _name, _fn


_layers: list[tuple[int, object, Layer]] = []

#: Guards the layer stack and everything built on it (sockffi.trace's observer
#: list too): a push, a pop and the rebuild they cause are one step to every
#: other thread, with or without a GIL. Held across fork(), so a child starts
#: with exactly the layers that were fully installed in the parent.
LOCK = RLock()


def _lock_for_fork() -> None:
    LOCK.acquire()


def _unlock_after_fork() -> None:
    LOCK.release()


def _reset_after_fork() -> None:
    # The forking thread held the lock; in the child it is this thread.
    LOCK._at_fork_reinit()  # type: ignore[attr-defined]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_lock_for_fork, after_in_parent=_unlock_after_fork, after_in_child=_reset_after_fork)


def push_layer(owner: object, layer: Layer, rank: int = 0) -> None:
    """Wrap C's calls: layer(name, current) gives what C.name becomes (current
    itself to leave it; None for the one-crossing listens, to have listen_tcp
    take its step path). Layers stack (sockffi.trace, sockffi.testing); each is
    removed by its owner, in any order, and C is rebuilt from RAW each time,
    lower ranks innermost (an injected failure sits below the trace, which
    then reports it as the syscall's result)."""
    with LOCK:
        _layers.append((rank, owner, layer))
        _rebuild()


def pop_layer(owner: object) -> bool:
    """Remove owner's layer; whether it was there."""
    with LOCK:
        before = len(_layers)
        _layers[:] = [entry for entry in _layers if entry[1] is not owner]
        if len(_layers) == before:
            return False
        _rebuild()
        return True


def _rebuild() -> None:
    # Everything is computed first and assigned at the end.
    current: dict[str, Any] = dict(RAW)
    for _rank, _owner, layer in sorted(_layers, key=lambda entry: entry[0]):
        current = {name: (None if fn is None else layer(name, fn)) for name, fn in current.items()}
    for name, fn in current.items():
        setattr(C, name, fn)


# ----------------------------------------------------------------- error tables


def table(key: str, unreachable: type = errors.CallerError) -> ErrorTable:
    """{OS code: class} for one call (or helper: "socket.fcntl") on this platform."""
    return errors.lookup(backend.TABLES.get(key, {}), backend.code, unreachable)


class Tables:
    """code -> class for each call (an attribute per syscall record, and per
    helper call: ``aux`` the fcntl/ioctlsocket inside socket(), ``startup``
    WSAStartup, ``accept_aux`` the one inside an emulated accept,
    ``getsockopt_error_call`` getsockopt's own failure there), with the codes
    Zig calls unreachable mapped to one class: CallerError for the direct
    calls, Unexpected inside the composed calls, which own their fd and build
    their own sockaddr."""

    socket: ErrorTable
    bind: ErrorTable
    listen: ErrorTable
    setsockopt: ErrorTable
    getsockname: ErrorTable
    close: ErrorTable
    accept: ErrorTable
    connect: ErrorTable
    getsockopt: ErrorTable
    getsockopt_error: ErrorTable
    getpeername: ErrorTable
    shutdown: ErrorTable
    aux: ErrorTable
    startup: ErrorTable
    accept_aux: ErrorTable
    getsockopt_error_call: ErrorTable

    def __init__(self, unreachable: type) -> None:
        for call in errors.RECORDS:
            setattr(self, call, table(call, unreachable))
        self.aux = table(backend.AUX_CALLS["aux"][1], unreachable)
        self.startup = table(backend.AUX_CALLS["startup"][1], unreachable)
        self.accept_aux = table(f"accept.{backend.AUX_CALLS['aux'][0]}", unreachable)
        self.getsockopt_error_call = table("getsockopt_error.getsockopt", unreachable)


DIRECT = Tables(errors.CallerError)
COMPOSED = Tables(errors.Unexpected)
AUX_NAME: str = backend.AUX_CALLS["aux"][0]
STARTUP_NAME: str = backend.AUX_CALLS["startup"][0]

new_error = backend.new_error


def rejected(code: int) -> Exception:
    """An argument the C refused before any syscall (the Python checks normally
    catch it first)."""
    what = code & CODE_MASK
    if what == lib.SF_REJECT_BACKLOG:
        return OverflowError(f"backlog must be 0-{INT_MAX} (Zig's u31)")
    if what == lib.SF_REJECT_PORT:
        return OverflowError("port must be 0-65535.")
    if what == lib.SF_REJECT_PATH:
        return ValueError(f"AF_UNIX path longer than sun_path ({lib.SF_SUN_PATH_MAX} bytes)")
    return ValueError("negative file descriptor")


def failure(r: int, tbl: ErrorTable, syscall: str) -> Exception:
    """The exception for a negative result of a one-syscall helper."""
    code = -r
    if code & REJECTED:
        return rejected(code)
    code &= CODE_MASK
    return new_error(tbl.get(code, errors.Unexpected), code, syscall)


def _failure_for(tbl: ErrorTable, syscall: str) -> Callable[[int], Exception]:
    """The exception for a negative result of one call, in one Python call (the
    error paths are measured too)."""
    get = tbl.get
    unexpected = errors.Unexpected
    strerror = backend.strerror
    # code (with its flags) -> (class, text, OS code): a pure function of the
    # int the C returned, so this cache never changes meaning. Bounded.
    known: dict[int, tuple[type, str, int]] = {}
    remembered = known.get
    windows = WINERROR

    def failure(r: int) -> Exception:
        code = -r
        entry = remembered(code)
        if entry is None:
            if code & REJECTED:
                return rejected(code)
            raw = code & CODE_MASK
            entry = (get(raw, unexpected), strerror(raw), raw)
            if len(known) < 256:
                known[code] = entry
        cls, text, raw = entry
        # Windows: OSError(errno, strerror, filename, winerror) also sets winerror.
        exc: errors.SockffiError = cls(raw, text, None, raw) if windows else cls(raw, text)
        exc.syscall = syscall
        return exc

    return failure


#: The exception for a negative result of each direct call, one Python call each.
failure_for: dict[str, Callable[[int], Exception]] = {
    name: _failure_for(getattr(DIRECT, name), name)
    for name in ("listen", "setsockopt", "getsockname", "connect", "getsockopt", "getpeername", "shutdown")
}


def socket_failure(r: int, tables: Tables = DIRECT) -> Exception:
    """socket(2)'s own code, or that of a call socket() made after the socket
    existed (fcntl, ioctlsocket, WSAStartup), which the C flags."""
    code = -r
    raw = code & CODE_MASK
    if code & AUX:
        return new_error(tables.aux.get(raw, errors.Unexpected), raw, AUX_NAME)
    if code & STARTUP:
        return new_error(tables.startup.get(raw, errors.Unexpected), raw, STARTUP_NAME)
    return new_error(tables.socket.get(raw, errors.Unexpected), raw, "socket")


def bind_failure(r: int, tables: Tables = DIRECT, syscall: str = "bind") -> Exception:
    """EINVAL (WSAEINVAL, WSAEFAULT) means different things by the socket's
    state, which the C read on this error path: a socket of another family than
    the address is AddressFamilyNotSupported on every OS (bind and connect
    alike); AlreadyBound only for a socket that getsockname shows is bound,
    Unexpected (the raw code) otherwise."""
    code = -r
    if code & REJECTED:
        return rejected(code)
    raw = code & CODE_MASK
    cls = getattr(tables, syscall).get(raw, errors.Unexpected)
    if code & OTHER_FAMILY:
        cls = errors.AddressFamilyNotSupported
    elif cls is errors.AlreadyBound and not code & BOUND:
        cls = errors.Unexpected
    return new_error(cls, raw, syscall)


def _step_failure(r: int) -> Exception:
    """The error a composed call reported as -(code | step << STEP_SHIFT)."""
    code = -r
    step = code >> STEP_SHIFT
    code &= (1 << STEP_SHIFT) - 1
    syscall = STEPS.get(step)
    if syscall is None or code & REJECTED:
        return rejected(code)
    if syscall == "socket":
        return socket_failure(-code, COMPOSED)
    if syscall == "bind":
        return bind_failure(-code, COMPOSED)
    return failure(-(code & ~STILL_OPEN), getattr(COMPOSED, syscall), syscall)


def _remembering(make: Callable[[int], Exception]) -> Callable[[int], Exception]:
    """make, with what it decides for each result remembered (class, code,
    text, syscall: a pure function of the int the C returned, so this cache
    never changes meaning; bounded): the error paths are measured too."""
    known: dict[int, tuple[type, int, str, str]] = {}
    remembered = known.get
    windows = WINERROR

    def failure(r: int) -> Exception:
        entry = remembered(r)
        if entry is None:
            exc = make(r)
            if not isinstance(exc, errors.SockffiError) or exc.detail is not None:
                return exc  # an argument refused: said once, never cached
            entry = (_type(exc), exc.errno, exc.strerror, exc.syscall)
            if len(known) < 256:
                known[r] = entry
            return exc
        cls, code, text, syscall = entry
        new: errors.SockffiError = cls(code, text, None, code) if windows else cls(code, text)
        new.syscall = syscall
        return new

    return failure


step_failure = _remembering(_step_failure)


def accept_failure(r: int, tables: Tables = DIRECT) -> Exception:
    """accept(2)'s own code, or that of the fcntl/ioctlsocket an emulated
    accept made after the new socket existed (which the C flags)."""
    code = -r
    if code & REJECTED:
        return rejected(code)
    raw = code & CODE_MASK
    if code & AUX:
        return new_error(tables.accept_aux.get(raw, errors.Unexpected), raw, AUX_NAME)
    return new_error(tables.accept.get(raw, errors.Unexpected), raw, "accept")


def so_error(value: int, tables: Tables = DIRECT) -> Exception:
    """The ConnectError member for a code SO_ERROR held (Zig's getsockoptError
    switch), raised as the connect's: syscall "connect"."""
    return new_error(tables.getsockopt_error.get(value, errors.Unexpected), value, "connect")


def close_failure(r: int) -> Optional[Exception]:
    """Zig's posix.close ignores every code but a bad fd, which is the caller's
    bug. sockffi also raises when the OS refused and the handle is still open
    (Windows WSAEWOULDBLOCK that even a blocking retry could not finish)."""
    code = -r
    if code & REJECTED:
        return rejected(code)
    raw = code & CODE_MASK
    if code & STILL_OPEN:
        return new_error(errors.Unexpected, raw, "close")
    cls = DIRECT.close.get(raw)
    return new_error(cls, raw, "close") if cls is not None else None


def with_context(exc: BaseException, address: Any, op: Optional[str] = None) -> BaseException:
    """Attach the address (and the composed call) an OS error was raised for."""
    if isinstance(exc, errors.SockffiError):
        exc._address = address
        exc._op = op
    return exc


# ----------------------------------------------------------------- cells

#: The types whose objects own a cell (net.Server and net.Connection register
#: themselves), which sockffi.close() closes through their own close().
OWNERS: list[type] = []

_cells: list[Any] = []
_new_cell = ffi.new
_gc = ffi.gc
_release = lib.sf_cell_release
cell_detach = lib.sf_cell_detach
cell_adopt = lib.sf_cell_adopt


def new_cell() -> Any:
    """An empty fd cell: closes what it holds when dropped (in C: no bytecode
    runs between the drop and the close, so no signal handler can intervene)."""
    return _gc(_new_cell("long long[2]"), _release)


take_cell = _cells.pop  # IndexError when the pool is empty: make one with new_cell()
give_cell = _cells.append  # only ever an empty cell


#: Buffers for one getsockname result each (SF_ADDR_CAP bytes), held by one
#: call at a time: take with list.pop (atomic), give back when decoded.
_names: list[Any] = []
take_name_buffer = _names.pop  # IndexError when empty: make one with new_name_buffer()
give_name_buffer = _names.append
NAME_BUFFER = ffi.typeof(f"char[{lib.SF_ADDR_CAP}]")
new_name_buffer = ffi.new
#: The name buffer sf_getsockname fills for a family it does not pack (claimed
#: in C by that call; sf_shared_name_release frees it once read).
SHARED_NAME: Any = lib.sf_shared_name
release_shared_name = lib.sf_shared_name_release


def cell_fd(cell: Any) -> int:
    fd: int = cell[0] - 1
    return fd


# ----------------------------------------------------------------- argument checks

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
FD_MAX: int = backend.FD_MAX


def closed_error(syscall: str, what: object) -> Exception:
    """A closed (or detached) object given as an fd: refused before any syscall,
    with the code the OS gives for a closed fd, as CPython's methods on a closed
    socket do."""
    code = backend.CLOSED_FD_CODE
    exc = new_error(errors.CallerError, code, syscall)  # strerror stays the OS's own text
    exc.detail = f"the {_type(what).__name__} {gone(what)}: its fileno() is -1"
    return exc


def gone(owner: object) -> str:
    """Why an owner has no fd: closed, detached, or handed over (a
    socket.socket's own closed state says "is closed")."""
    return getattr(owner, "_gone", None) or "is closed"


def fd_of(fd: Any, syscall: str) -> int:
    """An fd from an int (of any int type) or anything with fileno(). Nothing is
    taken from an object's own __index__/__int__: an int subclass gives its
    value, as CPython's C calls read it."""
    if _type(fd) in OWNERS:  # exactly a Server or a Connection (not a subclass): its own slot
        value = fd.fd
        if value == -1:
            raise closed_error(syscall, fd)
        return value  # type: ignore[no-any-return]
    if isinstance(fd, int):
        if isinstance(fd, bool):
            raise TypeError("fd must be an int, not bool")
        value = int.__index__(fd)
    else:
        fileno = getattr(fd, "fileno", None)
        if fileno is None:
            raise TypeError(f"fd must be an int or have a fileno() method, not {_type(fd).__name__}")
        value = fileno()
        if _type(value) is not int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{_type(fd).__name__}.fileno() returned {_type(value).__name__}, not int")
            value = int.__index__(value)
        if value == -1:
            raise closed_error(syscall, fd)
    if value < 0:
        raise ValueError(f"negative file descriptor: {value}")
    if value > FD_MAX:
        raise OverflowError(f"fd {value} is out of range (at most {FD_MAX})")
    return value


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

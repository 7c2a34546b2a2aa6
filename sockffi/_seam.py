"""The one boundary between sockffi's Python and its C.

Everything that touches the generated module goes through here: the raw C
calls (one namespace, ``C``, which :mod:`sockffi.trace` and
:mod:`sockffi.testing` wrap with layers), the result layouts the C exports,
the per-call error tables, the step from a C result to an exception, the fd
cells, and the socket a call given an fd or an owner acts on (the other
argument checks are :mod:`sockffi._args`).
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

    from ._sockffi import Calls

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

#: The syscall each step of a composed call names.
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

#: The composed calls made in one crossing: a layer that must see each step
#: sets them aside (None), and the callers then take their step paths
#: (build_ffi.ONE_CROSSING says the same for the typing stub).
ONE_CROSSING = ("listen_in4", "listen_in6", "listen_un", "connect_new")
#: Every syscall record's C functions, the one-crossing composed calls, and
#: the two steps connect_tcp's timeout= takes that no record names.
NAMES: tuple[str, ...] = tuple(
    sorted(
        {helper for record in errors.RECORDS.values() for helper in record.helpers}
        | set(ONE_CROSSING)
        | {"wait_connect", "set_nonblocking"}
    )
)
#: The C functions as compiled.
RAW: dict[str, Any] = {name: getattr(lib, "sf_" + name) for name in NAMES}
#: The namespace every caller reads its C function from at call time: a bare
#: module object, whose attributes are the cheapest to read, and whose
#: attributes the layers replace (their type: the stub's Calls).
C: Calls = type(sys)("sockffi._seam.C")
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
    itself to leave it; None for the one-crossing composed calls, to have
    their callers take each step as its own call). Layers stack (sockffi.trace,
    sockffi.testing); each is removed by its owner, in any order, and C is
    rebuilt from RAW each time, lower ranks innermost (an injected failure
    sits below the trace, which then reports it as the syscall's result)."""
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

    def __init__(self, unreachable: type) -> None:
        for call in errors.RECORDS:
            setattr(self, call, table(call, unreachable))
        self.aux = table(backend.AUX_CALLS["aux"][1], unreachable)
        self.startup = table(backend.AUX_CALLS["startup"][1], unreachable)
        self.accept_aux = table(f"accept.{backend.AUX_CALLS['aux'][0]}", unreachable)
        self.getsockopt_error_call = table("getsockopt_error.getsockopt", unreachable)
        # Connection.read and .write: Zig's net.Stream sets, over recv and sendmsg.
        self.stream_read = table("Connection.read", unreachable)
        self.stream_write = table("Connection.write", unreachable)

    def __getattr__(self, call: str) -> ErrorTable:  # only for a name no record has
        raise AttributeError(f"no syscall record named {call!r}: add it to sockffi._catalogue.RECORDS")


DIRECT = Tables(errors.CallerError)
COMPOSED = Tables(errors.Unexpected)
AUX_NAME: str = backend.AUX_CALLS["aux"][0]
STARTUP_NAME: str = backend.AUX_CALLS["startup"][0]

new_error = backend.new_error

# ----------------------------------------------------------------- from a C result to an exception


def rejected(code: int, syscall: str = "", what: object = None) -> Exception:
    """An argument the C refused before any syscall (the Python checks normally
    catch it first), or an owner that no longer held its socket by the time
    the C looked."""
    refused = code & CODE_MASK
    if refused == lib.SF_REJECT_CLOSED:
        return closed_error(syscall, what)
    if refused == lib.SF_REJECT_BACKLOG:
        return OverflowError(f"backlog must be 0-{INT_MAX} (Zig's u31)")
    if refused == lib.SF_REJECT_PORT:
        return OverflowError("port must be 0-65535.")
    if refused == lib.SF_REJECT_PATH:
        return ValueError(f"AF_UNIX path longer than sun_path ({lib.SF_SUN_PATH_MAX} bytes)")
    if refused == lib.SF_REJECT_ADDRESS:
        return ValueError("an address sockffi cannot encode")
    if isinstance(what, int) and what > FD_MAX:
        return OverflowError(f"{syscall}: fd must be 0-{FD_MAX}, not {what}")
    return ValueError("negative file descriptor")


def os_error(r: int, tbl: ErrorTable, syscall: str) -> Exception:
    """The exception for one negative result of one call."""
    code = -r
    if code & REJECTED:
        return rejected(code, syscall)
    code &= CODE_MASK
    return new_error(tbl.get(code, errors.Unexpected), code, syscall)


def error_maker(tbl: ErrorTable, syscall: str) -> Callable[..., Exception]:
    """The exception for a failed call's result, in one Python call (the error
    paths are measured too): what each result means is remembered, being a
    pure function of the int the C returned, so this cache never changes
    meaning. Bounded. `fd` (what the call was given) only words a refusal."""
    get = tbl.get
    unexpected = errors.Unexpected
    strerror = backend.strerror
    known: dict[int, tuple[type, str, int]] = {}
    remembered = known.get
    windows = WINERROR

    def make(r: int, fd: object = None) -> Exception:
        code = -r
        entry = remembered(code)
        if entry is None:
            if code & REJECTED:
                return rejected(code, syscall, fd)
            raw = code & CODE_MASK
            entry = (get(raw, unexpected), strerror(raw), raw)
            if len(known) < 256:
                known[code] = entry
        cls, text, raw = entry
        # Windows: OSError(errno, strerror, filename, winerror) also sets winerror.
        exc: Any = cls(raw, text, None, raw) if windows else cls(raw, text)
        exc.syscall = syscall
        return exc  # type: ignore[no-any-return]

    return make


def socket_error(r: int, tables: Tables = DIRECT) -> Exception:
    """socket(2)'s own code, or that of a call socket() made after the socket
    existed (fcntl, ioctlsocket, WSAStartup), which the C flags."""
    code = -r
    if code & REJECTED:
        return rejected(code, "socket")
    raw = code & CODE_MASK
    if code & AUX:
        return new_error(tables.aux.get(raw, errors.Unexpected), raw, AUX_NAME)
    if code & STARTUP:
        return new_error(tables.startup.get(raw, errors.Unexpected), raw, STARTUP_NAME)
    return new_error(tables.socket.get(raw, errors.Unexpected), raw, "socket")


def address_error(r: int, syscall: str, tables: Tables = DIRECT) -> Exception:
    """bind's and connect's codes whose meaning is the socket's state, which
    the C read on this error path: an address of another family than the
    socket is AddressFamilyNotSupported on every OS; AlreadyBound only for a
    socket that getsockname shows is bound, Unexpected (the raw code) otherwise."""
    code = -r
    if code & REJECTED:
        return rejected(code, syscall)
    raw = code & CODE_MASK
    cls = getattr(tables, syscall).get(raw, errors.Unexpected)
    if code & OTHER_FAMILY:
        cls = errors.AddressFamilyNotSupported
    elif cls is errors.AlreadyBound and not code & BOUND:
        cls = errors.Unexpected
    return new_error(cls, raw, syscall)


def _step_error(r: int) -> Exception:
    """The error a one-crossing composed call reported as -(code | step << STEP_SHIFT)."""
    code = -r
    step = code >> STEP_SHIFT
    code &= (1 << STEP_SHIFT) - 1
    syscall = STEPS.get(step)
    if syscall is None or code & REJECTED:
        return rejected(code)
    if syscall == "socket":
        return socket_error(-code, COMPOSED)
    if syscall == "bind":
        return address_error(-code, "bind", COMPOSED)
    return os_error(-(code & ~STILL_OPEN), getattr(COMPOSED, syscall), syscall)


def _remembering(make: Callable[[int], Exception]) -> Callable[[int], Exception]:
    """make, with what it decides for each result remembered (class, code,
    text, syscall: a pure function of the int the C returned, so this cache
    never changes meaning; bounded): the error paths are measured too."""
    known: dict[int, tuple[type, int, str, str]] = {}
    remembered = known.get
    windows = WINERROR

    def make_again(r: int) -> Exception:
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

    return make_again


step_error = _remembering(_step_error)


def accept_error(r: int, tables: Tables = DIRECT) -> Exception:
    """accept(2)'s own code, or that of the fcntl/ioctlsocket an emulated
    accept made after the new socket existed (which the C flags)."""
    code = -r
    if code & REJECTED:
        return rejected(code, "accept")
    raw = code & CODE_MASK
    if code & AUX:
        return new_error(tables.accept_aux.get(raw, errors.Unexpected), raw, AUX_NAME)
    return new_error(tables.accept.get(raw, errors.Unexpected), raw, "accept")


def so_error(value: int, tables: Tables = DIRECT) -> Exception:
    """The ConnectError member for a code SO_ERROR held (Zig's getsockoptError
    switch), raised as the connect's: syscall "connect"."""
    return new_error(tables.getsockopt_error.get(value, errors.Unexpected), value, "connect")


def close_error(r: int, fd: object = None) -> Optional[Exception]:
    """Zig's posix.close ignores every code but a bad fd, which is the caller's
    bug. sockffi also raises when the OS refused and the handle is still open
    (Windows WSAEWOULDBLOCK that even a blocking retry could not finish)."""
    code = -r
    if code & REJECTED:
        return rejected(code, "close", fd)
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
#: The "no cell" of a call given a plain fd: (NULL, fd).
NULL: Any = ffi.NULL


def new_cell() -> Any:
    """An empty fd cell (sockffi.h: fd + 1, the unix file, the generation):
    closes what it holds when dropped (in C: no bytecode runs between the drop
    and the close, so no signal handler can intervene)."""
    return _gc(_new_cell("long long[3]"), _release)


give_cell = _cells.append  # only ever an empty cell
_pop_cell = _cells.pop
_refcount = sys.getrefcount


def _pooled_refs() -> int:
    """What sys.getrefcount says of a cell just taken from the pool and held by
    nothing else (it depends on the interpreter), read in take_cell's shape."""
    _cells.append(new_cell())
    cell = _pop_cell()
    return _refcount(cell)


_POOLED = _pooled_refs()


def take_cell() -> Any:
    """An empty cell for a new socket: a pooled one, unless anything still
    holds it (a frame kept by a traceback, say, after an exception raised once
    it was given back); such a cell is left to that holder, never shared, so
    a dropped owner always closes its socket."""
    try:
        cell = _pop_cell()
    except IndexError:
        return new_cell()
    if _refcount(cell) != _POOLED:
        return new_cell()
    return cell


def cell_fd(cell: Any) -> int:
    fd: int = cell[0] - 1
    return fd


def cell_gen(cell: Any) -> int:
    """The cell's generation (sockffi.h): what its owner's calls pass as ref."""
    gen: int = cell[2]
    return gen


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

# ----------------------------------------------------------------- the socket a call acts on

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


def socket_of(fd: Any, syscall: str) -> tuple[Any, int]:
    """(cell, ref), the socket a call given anything but an exact int acts on:
    a Server's or Connection's own cell and generation (its fd is read from the
    cell inside the C call, so the call never reaches a socket that left it);
    else (NULL, the fd) from an int of any int type or from fileno(). Nothing
    is taken from an object's own __index__/__int__: an int subclass gives its
    value, as CPython's C calls read it."""
    if _type(fd) in OWNERS:  # exactly a Server or a Connection (not a subclass)
        try:
            return fd._owned[0], fd._gen
        except IndexError:
            raise closed_error(syscall, fd) from None
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
    return NULL, value


def fd_of(fd: Any, syscall: str) -> int:
    """The fd itself (for what is not a C call on it: os.get_blocking ...)."""
    cell, ref = socket_of(fd, syscall)
    return cell_fd(cell) if cell is not NULL else ref

"""Watch sockffi's syscalls as they happen.

    >>> import sockffi, sockffi.trace
    >>> seen = []
    >>> with sockffi.trace.observe(seen.append):
    ...     sockffi.listen_tcp(("127.0.0.1", 0)).close()
    >>> [e.syscall for e in seen]
    ['socket', 'setsockopt', 'bind', 'listen', 'getsockname', 'close']

``observe(callback)`` starts observing at once and returns an
:class:`Observation`; ``close()`` it (or use it as a context manager) to stop.
While at least one observer is registered, the C calls in sockffi's one call
namespace are replaced by recording versions (and listen_tcp's one-crossing C
paths are set aside, so that each step is its own call); when the last one
leaves, the originals are put back. Nobody observing therefore costs nothing.

Observation is process-wide: calls from every thread are reported, on the
thread that made them, after the call returns. Arguments refused before any
syscall are not reported (they are not syscalls), and neither are the calls an
observer itself makes (that would never end).
"""

from __future__ import annotations

import contextvars
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

from . import _addr, _catalogue, _seam, errors
from ._sockffi import ffi, lib

backend = _seam.backend

__all__ = ["Event", "Observation", "describe_family", "describe_type", "observe"]


@dataclass(frozen=True)
class Event:
    """One syscall: its name, its arguments (readable), what it returned and how long it took."""

    syscall: str
    args: tuple[str, ...]
    result: int
    """The return value (an fd for socket(), 0 otherwise); -1 on failure."""
    code: int
    """The OS code on failure (errno, or the WSA code on Windows); 0 on success."""
    seconds: float
    aux: str = ""
    """Set when the code came from a call socket() made after the socket existed
    (fcntl on macOS; ioctlsocket or WSAStartup on Windows)."""
    call: str = ""
    """The sockffi call (its record) the syscall was made for, where it differs
    from the syscall's name: ``send`` for a ``sendto``, ``getsockopt_error``
    for a ``getsockopt``."""

    @property
    def failed(self) -> bool:
        return self.code != 0

    @property
    def code_name(self) -> str:
        return backend.code_name(self.code) if self.code else ""

    @property
    def error(self) -> Optional[type]:
        """The class a direct sockffi call raises for this code (None on success)."""
        if not self.code:
            return None
        key = (
            f"{'accept' if self.syscall == 'accept' else 'socket'}.{self.aux}"
            if self.aux
            else self.call or self.syscall
        )
        cls: type = _seam.table(key).get(self.code, errors.Unexpected)
        return cls

    def format(self) -> str:
        """strace's shape: ``bind(3, {AF_INET, 127.0.0.1:0}) = -1 EADDRINUSE (...)``."""
        call = f"{self.syscall}({', '.join(self.args)})"
        if not self.code:
            return f"{call} = {self.result}"
        via = f" [in {self.aux}]" if self.aux else ""
        return f"{call} = -1 {self.code_name} ({backend.strerror(self.code)}){via}"


Observer = Callable[[Event], None]
_observers: list[Observation] = []
# The seam's lock: the observer list and the layer it installs change together,
# and fork() never sees one without the other.
_lock = _seam.LOCK


def _names(*names: str) -> dict[int, str]:
    table: dict[int, str] = {}
    for name in names:
        value = getattr(lib, name, None)
        if value is not None:
            table.setdefault(value, name)
    return table


_CONSTANTS = _catalogue.CONSTANTS
_FAMILIES = _names(*_CONSTANTS["family"])
_TYPES = _names(*_CONSTANTS["type"])
_PROTOCOLS = _names("IPPROTO_TCP", "IPPROTO_UDP", "IPPROTO_IPV6")
_LEVELS = _names(*_CONSTANTS["level"], "IPPROTO_TCP", "IPPROTO_IP", "IPPROTO_IPV6")
_OPTIONS: dict[int, dict[int, str]] = {
    lib.SOL_SOCKET: _names(*_CONSTANTS["socket option"]),
    lib.IPPROTO_TCP: _names(*_CONSTANTS["tcp option"]),
    lib.IPPROTO_IPV6: _names(*_CONSTANTS["ipv6 option"]),
}
for _name in (*_catalogue.OPTIONAL["socket option"], *_catalogue.OPTIONAL["trace only"]):
    if getattr(lib, f"SF_HAS_{_name}"):
        _OPTIONS[lib.SOL_SOCKET].setdefault(getattr(lib, f"SF_{_name}"), _name)
_HOW = _names(*_CONSTANTS["how"])


def describe_family(value: int) -> str:
    return _FAMILIES.get(value, str(value))


def describe_type(value: int) -> str:
    flags = [("SOCK_CLOEXEC", lib.SOCK_CLOEXEC), ("SOCK_NONBLOCK", lib.SOCK_NONBLOCK)]
    base = value & ~(lib.SOCK_CLOEXEC | lib.SOCK_NONBLOCK)
    parts = [_TYPES.get(base, str(base))] + [n for n, bit in flags if value & bit]
    return "|".join(parts)


def _sockaddr(address: Any) -> str:
    """An address in strace's braces."""
    if isinstance(address, tuple) and len(address) == 4:
        host, port, flowinfo, scope_id = address
        return f"{{AF_INET6, [{host}]:{port}, flowinfo={flowinfo}, scope_id={scope_id}}}"
    if isinstance(address, tuple) and len(address) == 2 and isinstance(address[1], int):
        return f"{{AF_INET, {address[0]}:{address[1]}}}"
    if isinstance(address, (str, bytes)):
        return f"{{AF_UNIX, {address!r}}}"
    return f"{{{address!r}}}"


def _packed(r: int, shared: bool = False) -> str:
    """A getsockname result, rendered from the value (and, with `shared`, the
    bytes the C copied into its shared name buffer for a family it does not
    pack, which the caller still holds) alone: no syscall."""
    if r >= _seam.GSN_OTHER and not r & lib.SF_GSN_PATH_ID:
        if shared and not r & lib.SF_GSN_BUSY:  # filled by this call, not yet read
            return _sockaddr(_addr.other_name(r, _seam.SHARED_NAME))
        return f"{{{describe_family((r >> 16) & 0xFFFF)}, ...}}"
    return _sockaddr(_addr.packed(r, False))


# True inside an observer: the calls an observer makes are not reported (that
# would never end). It is only ever set in a copy of the context that the
# observers run in, so no exception, at any moment, can leave it set outside.
_in_observer: contextvars.ContextVar[bool] = contextvars.ContextVar("sockffi_trace_in_observer", default=False)


def _emit(event: Event) -> None:
    contextvars.copy_context().run(_run_observers, event)


def _run_observers(event: Event) -> None:
    # An observer's exception must not reach the call it observes: the syscall
    # has happened (an fd may exist that only the caller can close), so it is
    # reported as a warning instead.
    _in_observer.set(True)
    for observation in list(_observers):
        try:
            observation.observer(event)
        except Exception as exc:
            import warnings

            warnings.warn(
                f"sockffi.trace observer {observation.observer!r} raised {exc!r}", RuntimeWarning, stacklevel=4
            )


def _recording(name: str, raw: Callable[..., int]) -> Callable[..., int]:
    """A stand-in for one of the seam's C calls that reports each call."""
    clock = time.perf_counter
    syscall, spec = _HELPERS[name]  # every C call the seam has is here: a KeyError at install says which is not
    call_name = _CALL_OF.get(name, syscall)
    if call_name == syscall:
        call_name = ""

    def call(*args: Any) -> int:
        fds = _fds_before(spec, args)  # a closing call empties its cell: what it held, read first
        start = clock()
        rc = raw(*args)
        elapsed = clock() - start
        if rc < 0 and (-rc) & _seam.REJECTED:
            return rc  # refused before any syscall: not a syscall
        if name == "cell_close" and rc == 1:
            return rc  # an empty cell: nothing was closed
        if not _in_observer.get():
            _emit(_event(syscall, spec, args, rc, elapsed, fds, call_name))
        return rc

    call.__wrapped__ = raw  # type: ignore[attr-defined]
    return call


#: Every C call the seam makes that is a syscall: (the syscall's name, its
#: helper spec), from the records (and the timeout's two steps).
_HELPERS: dict[str, tuple[str, _catalogue.H]] = {
    **{h: (r.kernel, spec) for r in errors.RECORDS.values() for h, spec in r.helpers.items()},
    **_catalogue.STEP_HELPERS,
}


#: Each C call's record, by the C call's name (the timeout's steps have none).
_CALL_OF: dict[str, str] = {h: r.name for r in errors.RECORDS.values() for h in r.helpers}


def _fds_before(spec: _catalogue.H, args: tuple[Any, ...]) -> dict[str, str]:
    """The fd each socket argument named when the call was made."""
    found: dict[str, str] = {}
    i = 0
    for kind in spec.args:
        if kind == "sock":
            cell, ref = args[i], args[i + 1]
            found[kind] = str(_seam.cell_fd(cell) if cell != _seam.NULL else ref)
        elif kind == "cell":
            found[kind] = str(_seam.cell_fd(args[i]))
        i += _catalogue.SPANS.get(kind, 1)
    return found


def _event(
    syscall: str, spec: _catalogue.H, a: tuple[Any, ...], rc: int, elapsed: float, fds: dict[str, str], call: str = ""
) -> Event:
    """The Event for one call, its arguments shown as spec.shows says."""
    failed = rc < 0
    shown: dict[str, str] = dict(fds)
    i = 0
    level = 0
    for kind in spec.args:
        span = _catalogue.SPANS.get(kind, 1)
        value = a[i : i + span]
        i += span
        if kind in shown or kind == "out":
            continue
        if kind == "level":
            level = value[0]
        shown[kind] = _SHOW[kind](value, level, rc)
    shown["result"] = "..." if failed else _RESULT_SHOWN[spec.result](rc, a)
    args = tuple(part.format(**shown) for part in spec.shows)
    if failed:
        code, aux = -rc, ""
        if code & _seam.AUX:
            aux = _seam.AUX_NAME
        elif code & _seam.STARTUP:
            aux = _seam.STARTUP_NAME
        return Event(syscall, args, -1, code & _seam.CODE_MASK, elapsed, aux, call)
    if spec.result in ("fd", "ready", "count", "received", "received_from"):
        result = rc
    elif spec.result == "revents":
        result = 1 if rc else 0
        result = rc
    elif spec.result == "peer":
        result = _seam.cell_fd(a[0])
    else:
        result = 0
    return Event(syscall, args, result, 0, elapsed, "", call)


def _address(value: tuple[Any, ...]) -> str:
    family, a4, data, length, port, flowinfo, scope = value
    if family == lib.AF_INET:
        return _sockaddr((_addr.in4_text(a4), port))
    if family == lib.AF_INET6:
        return _sockaddr((_addr.ntop6(bytes(data)), port, flowinfo, scope))
    return f"{{AF_UNIX, {bytes(data)[:length]!r}}}"


#: How each argument kind is shown: (its C arguments, the level argument before it, the result).
_SHOW: dict[str, Callable[[tuple[Any, ...], int, int], str]] = {
    "fd": lambda v, level, rc: str(v[0]),
    "family": lambda v, level, rc: describe_family(v[0]),
    "type": lambda v, level, rc: describe_type(v[0]),
    "protocol": lambda v, level, rc: _PROTOCOLS.get(v[0], str(v[0])) if v[0] else "0",
    "address": lambda v, level, rc: _address(v),
    "backlog": lambda v, level, rc: str(v[0]),
    "level": lambda v, level, rc: _LEVELS.get(v[0], str(v[0])),
    "option": lambda v, level, rc: _OPTIONS.get(level, {}).get(v[0], str(v[0])),
    "value": lambda v, level, rc: str(v[0]),
    "optval": lambda v, level, rc: f"{_shown_bytes(bytes(v[0]))}, {v[1]}",
    "optbuf": lambda v, level, rc: (
        f"..., {v[1]}" if rc < 0 else f"{_shown_bytes(ffi.buffer(v[0], min(rc, v[1]))[:])}, {rc}"
    ),
    "namebuf": lambda v, level, rc: "..." if rc < 0 else _sockaddr(_addr.decode(ffi.buffer(v[0], rc)[:])),
    "how": lambda v, level, rc: _HOW.get(v[0], str(v[0])),
    "data": lambda v, level, rc: f"{_shown_bytes(_head(v[0], v[1]))}, {v[1]}",
    "sendflags": lambda v, level, rc: _msg_flags(v[0] | _NOSIGNAL),
    "recvflags": lambda v, level, rc: _msg_flags(v[0]),
    # A failed call filled nothing: its buffer is "...", its size still shown (as strace does).
    "size": lambda v, level, rc: f"..., {v[1]}" if rc < 0 else f"{_shown_bytes(_head(v[0], min(rc, v[1])))}, {v[1]}",
    "source": lambda v, level, rc: "..." if rc < 0 else _source(v[0]),
    "buffers": lambda v, level, rc: _buffers(v),
    "optaddress": lambda v, level, rc: "NULL" if v[0] == 0 else _address(v),
    "pollfds": lambda v, level, rc: _pollfds(v, rc),
    "events": lambda v, level, rc: _events(v[0]),
    "flags": lambda v, level, rc: describe_type(v[0] | lib.SOCK_STREAM).partition("|")[2] or "0",
    "timeout": lambda v, level, rc: str(v[0]),
    "on": lambda v, level, rc: "O_NONBLOCK" if v[0] else "~O_NONBLOCK",
}

#: What a successful result of each kind shows, where the call's shows puts {result}.
_RESULT_SHOWN: dict[str, Callable[[int, tuple[Any, ...]], str]] = {
    "zero": lambda rc, a: "",
    "fd": lambda rc, a: "",
    "length": lambda rc, a: "",
    "count": lambda rc, a: "",
    "received": lambda rc, a: "",
    "received_from": lambda rc, a: "",
    "revents": lambda rc, a: f"(revents={_events(rc)})" if rc else "",
    "ready": lambda rc, a: "",
    "name": lambda rc, a: _packed(rc, True),
    "peer": lambda rc, a: _packed(rc, True),
    "value": lambda rc, a: f"[{rc - 0x100000000 if rc >= 0x80000000 else rc}], 4",
    "so_error": lambda rc, a: f"[{backend.code_name(rc)}], 4" if rc else "[0], 4",
}


def _head(data: Any, length: int) -> bytes:
    """The first bytes of a buffer the C was given (bytes, or a cffi view)."""
    n = min(length, 33)
    return data[:n] if isinstance(data, bytes) else ffi.buffer(data, n)[:]


#: Every send sockffi makes adds MSG_NOSIGNAL where the platform has it: shown, as strace shows it.
_NOSIGNAL: int = lib.SF_MSG_NOSIGNAL if lib.SF_HAS_MSG_NOSIGNAL else 0
_MSG_FLAGS = {
    **{getattr(lib, name): name for name in _catalogue.CONSTANTS["msg flag"]},
    **{getattr(lib, f"SF_{name}"): name for name in _catalogue.OPTIONAL["msg flag"] if getattr(lib, f"SF_HAS_{name}")},
}


def _buffers(v: tuple[Any, ...]) -> str:
    bufs, lens, count = v
    shown = [f"{{{_shown_bytes(_head(bufs[i], lens[i]))}, {lens[i]}}}" for i in range(min(count, 4))]
    return "[" + ", ".join(shown + (["..."] if count > 4 else [])) + "]"


_POLL_EVENTS = _names(*_catalogue.CONSTANTS["poll event"])


def _events(value: int) -> str:
    names = [name for bit, name in sorted(_POLL_EVENTS.items()) if value & bit]
    rest = value & ~sum(bit for bit in _POLL_EVENTS if value & bit)
    return "|".join(names + ([hex(rest)] if rest else [])) or "0"


def _pollfds(v: tuple[Any, ...], rc: int) -> str:
    entries, cells, n = v
    shown = []
    for i in range(n):
        cell = cells[i]
        fd = entries[3 * i] if cell == _seam.NULL else _seam.cell_fd(cell)
        item = f"{{fd={fd}, events={_events(entries[3 * i + 1])}"
        if rc >= 0 and entries[3 * i + 2]:
            item += f", revents={_events(entries[3 * i + 2])}"
        shown.append(item + "}")
    return f"[{', '.join(shown)}], {n}"


def _source(frm: Any) -> str:
    address = _addr.source(frm)
    return "NULL" if address is None else _sockaddr(address)


def _msg_flags(value: int) -> str:
    names = [name for bit, name in sorted(_MSG_FLAGS.items()) if bit and value & bit == bit]
    rest = value & ~sum(bit for bit, name in _MSG_FLAGS.items() if name in names)
    return "|".join(names + ([hex(rest)] if rest else [])) or "0"


def _shown_bytes(raw: bytes) -> str:
    """As strace shows a buffer: its first 32 bytes, then '...'."""
    return repr(raw) if len(raw) <= 32 else repr(raw[:32]) + "..."


def _layer(name: str, fn: Any) -> Any:
    if name in _seam.ONE_CROSSING:
        return None  # the one-crossing listens cannot report their steps: set aside while observed
    return _recording(name, fn)  # every other call is one syscall


def _install() -> None:
    _seam.push_layer(_layer, _layer, rank=1)


def _uninstall() -> None:
    _seam.pop_layer(_layer)


class Observation:
    """An observer registered with :func:`observe`: ``close()`` (or leaving the
    ``with`` block) unregisters it."""

    __slots__ = ("observer",)

    def __init__(self, observer: Observer) -> None:
        if not callable(observer):
            raise TypeError(f"observe() needs a callable taking an Event, not {type(observer).__name__}")
        self.observer = observer
        with _lock:
            if not _observers:
                _install()
            _observers.append(self)

    def close(self) -> None:
        with _lock:
            for i, observation in enumerate(_observers):
                if observation is self:
                    del _observers[i]
                    break
            if not _observers:
                _uninstall()

    def __enter__(self) -> Observation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def observe(observer: Observer) -> Observation:
    """Call ``observer(event)`` after every sockffi syscall, from now until the
    returned :class:`Observation` is closed (``with observe(cb): ...`` closes it
    at the end of the block)."""
    return Observation(observer)

"""sockffi's errors: Zig 0.15.2's error sets as Python classes.

Each Zig error name is one class. Each error set (``SocketError``, ``BindError``,
listen(2)'s ``sockffi.posix.ListenError``, ``SetSockOptError``, ...) is a class
that its members inherit from, so ``except BindError`` catches ``AddressInUse``.
The unions are classes too, that their sets inherit from: ``ListenError``
(``std.net.Address.ListenError``, what the listen helpers raise),
``TcpConnectToAddressError`` and ``ConnectUnixSocketError`` (what the connect
helpers raise).

The classes are made here from the catalogue (sockffi._catalogue: the names
with their meanings and builtins, the sets with their members, the unions with
their sets), so membership is written once; sockffi/_classes.pyi is how type
checkers see them (generated from the same data). The OS-code maps per
syscall and platform are data in one record per syscall; the views below
(``SETS``, ``POSIX``, ``WINDOWS`` ...) and the queries at the end derive from
the records, for the backends, the CLI, the docs and the tests.
"""

from __future__ import annotations

import builtins

# Real names, not TYPE_CHECKING ones: typing.get_type_hints() reads the annotations.
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import _catalogue
from ._catalogue import Syscall

#: The catalogue's code numbers and its mark for codes Zig treats as unreachable.
UNREACHABLE = _catalogue.UNREACHABLE
WSA_CODES = _catalogue.WSA_CODES
LINUX_ERRNO = _catalogue.LINUX_ERRNO
MACOS_ERRNO = _catalogue.MACOS_ERRNO

#: Every departure from Zig, with its reason (the docs list them).
DEPARTURES = _catalogue.DEPARTURES


class SockffiError(OSError):
    """Root of everything sockffi raises for an OS failure.

    Attributes, besides OSError's ``errno`` and ``strerror`` (and ``winerror``
    on Windows): ``syscall``, the name of the C call that failed; ``address``,
    the address that call was given (bind, connect, and the composed calls;
    else None); ``op``, the composed call that made it ("listen_tcp",
    "connect_unix", ...; else None). ``str()`` names the call and the address, as Go's ``net.OpError``
    does: ``listen_tcp 127.0.0.1:8080: bind: [Errno 98] Address already in use``.
    """

    # Slots, not the instance __dict__: raising stays as cheap as CPython's own
    # (the error paths set _address and _op directly; address and op read them).
    __slots__ = ("_address", "_op", "_sent", "syscall")
    syscall: str
    errno: int  # always set: never None, unlike a bare OSError
    strerror: str
    _address: Any
    _op: Optional[str]
    _sent: Optional[int]
    #: What the calling code did, where sockffi knows (a closed object given as an fd).
    detail: Optional[str] = None

    @property
    def address(self) -> Any:
        """The address the call was given (None if it took none)."""
        return getattr(self, "_address", None)

    @address.setter
    def address(self, value: Any) -> None:
        self._address = value

    @property
    def sent(self) -> Optional[int]:
        """How many bytes went out before the error, where sockffi counts them
        (:meth:`Connection.write_all`); else None."""
        return getattr(self, "_sent", None)

    @sent.setter
    def sent(self, value: Optional[int]) -> None:
        self._sent = value

    @property
    def op(self) -> Optional[str]:
        """The composed call that made the error ("listen_tcp", "connect_unix" ...), or None."""
        return getattr(self, "_op", None)

    @op.setter
    def op(self, value: Optional[str]) -> None:
        self._op = value

    def __str__(self) -> str:
        text = super().__str__()
        syscall = getattr(self, "syscall", None)
        if self.address is None:
            if syscall is None:  # made by hand, not raised by a call
                return text
            return f"{self.op}: {syscall}: {text}" if self.op else f"{syscall}: {text}"
        where = describe_address(self.address)
        return f"{self.op} {where}: {syscall}: {text}" if self.op else f"{syscall} {where}: {text}"

    def __reduce__(self) -> tuple[Any, ...]:
        # OSError pickles its __dict__ only; keep the slots too.
        reduced = super().__reduce__()
        assert isinstance(reduced, tuple)
        state = dict(reduced[2]) if len(reduced) > 2 and reduced[2] else {}
        for name in SockffiError.__slots__:
            if hasattr(self, name):
                state[name] = getattr(self, name)
        return (reduced[0], reduced[1], state)


def describe_address(address: object) -> str:
    """An address as people write it: 127.0.0.1:8080, [::1]:8080, [fe80::1%2]:80,
    /run/app.sock, @abstract-name."""
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode("ascii", "backslashreplace")
        host = str(host)
        if ":" in host:
            scope = address[3] if len(address) >= 4 else 0
            if scope:  # a scope_id in the tuple is the one the syscall gets, over a %scope in the host
                host = f"{host.partition('%')[0]}%{scope}"
            return f"[{host}]:{port}"
        return f"{host or '0.0.0.0'}:{port}"
    if isinstance(address, (bytes, bytearray)):
        raw = bytes(address)
        if raw[:1] == b"\0":
            return "@" + raw[1:].decode("utf-8", "backslashreplace")
        return raw.decode("utf-8", "surrogateescape")
    text = str(address.__fspath__()) if hasattr(address, "__fspath__") else str(address)
    return "@" + text[1:] if text[:1] == "\0" else text


class CallerError(SockffiError):
    """An OS code that Zig treats as ``unreachable``: the calling code is at fault.

    For example ``EBADF`` (the fd is closed or never existed) or ``EFAULT``.
    Zig panics here; sockffi raises this instead. It belongs to no error set, so
    ``except ListenError`` does not swallow a bug. ``errno`` keeps the code.
    """

    def __str__(self) -> str:
        said = f" ({self.detail})" if self.detail else ""
        return f"{super().__str__()}{said} [a bug in the calling code; Zig's std.posix treats this code as unreachable]"


# ----------------------------------------------------------------- the classes, from the catalogue

#: The members of each set, in Zig 0.15.2's declaration order, ``Unexpected`` last.
SETS: dict[str, tuple[str, ...]] = _catalogue.SETS
#: The unions, as users write them, with the sets each joins.
UNIONS: dict[str, tuple[str, ...]] = {name: union.sets for name, union in _catalogue.UNIONS.items()}
#: The syscall records, by name.
RECORDS: dict[str, Syscall] = _catalogue.RECORDS
#: Which set each syscall raises (close raises CallerError only).
SYSCALLS: dict[str, str] = {r.name: r.set for r in RECORDS.values() if r.set}


#: Connection's I/O, by its table's key: the set it raises.
STREAMS: dict[str, str] = {key: stream[0] for key, stream in _catalogue.STREAMS.items()}
#: Which set each call raises: the syscalls', then Connection's I/O.
CALL_SETS: dict[str, str] = {**SYSCALLS, **STREAMS}


def _set_doc(set_name: str) -> str:
    for stream_set, doc in _catalogue.STREAMS.values():
        if stream_set == set_name:
            return doc
    title = "posix.ListenError" if set_name == "ListenSyscallError" else set_name
    calls = [f"{n}(2)" if RECORDS[n].kernel == n else n for n, s in SYSCALLS.items() if s == set_name]
    said = " and ".join(calls) if calls else "nothing yet"
    return f"``std.posix.{title}``: what {said} can raise."


def _make_classes() -> dict[str, type]:
    """The unions, the sets and the names, each inheriting what the data says."""
    made: dict[str, type] = {}

    def new(name: str, bases: tuple[type, ...], doc: str) -> None:
        made[name] = type(name, bases, {"__doc__": doc, "__module__": __name__, "__slots__": ()})

    for name, union in _catalogue.UNIONS.items():
        new(name, (SockffiError,), union.doc)
    for set_name in SETS:
        unions = tuple(made[u] for u, union in _catalogue.UNIONS.items() if set_name in union.sets)
        new(set_name, unions or (SockffiError,), _set_doc(set_name))
    for name, spec in _catalogue.NAMES.items():
        bases = [made[s] for s, members in SETS.items() if name in members]
        bases += [made[u] for u, union in _catalogue.UNIONS.items() if name in union.extra]
        if spec.builtin:
            bases.append(getattr(builtins, spec.builtin))
        new(name, tuple(bases), spec.doc)
    for set_name, members in SETS.items():
        made[set_name].members = tuple(made[m] for m in members)  # type: ignore[attr-defined]
    for name, union in _catalogue.UNIONS.items():
        # The first set's names, the ones the union adds, then each further set's new ones.
        first, *rest = union.sets
        order = list(dict.fromkeys([*SETS[first], *union.extra, *(m for s in rest for m in SETS[s])]))
        if union.unexpected_last:
            order = [m for m in order if m != "Unexpected"] + ["Unexpected"]
        made[name].members = tuple(made[m] for m in order)  # type: ignore[attr-defined]
    # listen(2)'s set is sockffi.posix.ListenError: reprs, tracebacks and help() say so.
    listen = made["ListenSyscallError"]
    listen.__name__ = listen.__qualname__ = "ListenError"
    listen.__module__ = "sockffi.posix"
    return made


if TYPE_CHECKING:
    from ._classes import *  # noqa: F403  (the classes below, as type checkers see them)
else:
    globals().update(_make_classes())

#: Every error name, alphabetical.
ERROR_NAMES: tuple[str, ...] = tuple(sorted(_catalogue.NAMES))
#: The sets whose union is ``Address.ListenError``, in Zig's ``||`` order.
LISTEN_SETS: tuple[str, ...] = _catalogue.UNIONS["ListenError"].sets
#: The names of ``Address.ListenError``, alphabetical.
LISTEN_NAMES: tuple[str, ...] = tuple(sorted({n for s in LISTEN_SETS for n in SETS[s]}))

# POSIX (Linux and macOS run the same branch; only the numbers differ, and the
# backend resolves names through the errno module of the running platform),
# and Windows: {table key: {code name: error name}}, from the records.
# Anything not listed is Unexpected.
POSIX: dict[str, dict[str, str]] = {key: table for r in RECORDS.values() for key, table in r.posix.items()}
WINDOWS: dict[str, dict[str, str]] = {key: table for r in RECORDS.values() for key, table in r.windows.items()}

if not TYPE_CHECKING:  # a literal list would repeat every name; type checkers see _classes.pyi's
    #: What ``from sockffi.errors import *`` gives: the classes.
    __all__ = [  # noqa: PLE0604  (every name a string; only made, not written out)
        "CallerError",
        "SockffiError",
        *sorted(_catalogue.UNIONS),
        *sorted(n for n in SETS if n != "ListenSyscallError"),
        *ERROR_NAMES,
    ]


def lookup(
    names: dict[str, str], code: Callable[[str], Optional[int]], unreachable: type = CallerError
) -> dict[int, type]:
    """{OS code: class} for one call's table. Codes Zig calls unreachable map to
    `unreachable`: CallerError for the direct calls; Unexpected inside listen_tcp,
    which owns its fd and builds its own sockaddr, so there such a code is never
    the caller's bug. A name the platform does not define is skipped: that code
    cannot occur there."""
    table: dict[int, type] = {}
    for name, member in names.items():
        value = code(name)
        if value is not None:
            table.setdefault(value, unreachable if member == UNREACHABLE else globals()[member])
    return table


# --------------------------------------------------------------------------- queries
# What the CLI, the docs and the tests ask of the tables above; each is derived
# from them, never written down a second time.

#: The platforms the tables describe, and how people write them.
PLATFORMS: tuple[tuple[str, str], ...] = (("linux", "Linux"), ("macos", "macOS"), ("windows", "Windows"))
#: Every set class's name.
SET_NAMES: tuple[str, ...] = tuple(SETS)
#: The calls whose codes the tables give (close only has its caller bug).
CALLS: tuple[str, ...] = (*CALL_SETS, "close")
EXIT_BASE = 10
#: sockffi's CLI exits with EXIT_BASE + an error's place in the catalogue's
#: NAMES, where a new name is only ever appended: no status changes meaning.
EXIT_CODES: dict[str, int] = {name: EXIT_BASE + i for i, name in enumerate(_catalogue.NAMES)}
_NUMBERS: dict[str, dict[str, int]] = {"linux": LINUX_ERRNO, "macos": MACOS_ERRNO, "windows": WSA_CODES}

#: (Linux, macOS) numbers of the errno names the tables use.
ERRNO_NUMBERS: dict[str, tuple[int, int]] = {
    name: (LINUX_ERRNO[name], MACOS_ERRNO[name])
    for table in POSIX.values()
    for name in table
    if name in LINUX_ERRNO and name in MACOS_ERRNO
}


def set_title(set_name: str) -> str:
    """A set's name as users write it: listen(2)'s own is ``posix.ListenError``."""
    return "posix.ListenError" if set_name == "ListenSyscallError" else set_name


def set_class(title: str) -> Optional[type]:
    """The set class for a name as users write it (``BindError``,
    ``posix.ListenError``; ``ListenError`` is the union)."""
    name = {"posix.ListenError": "ListenSyscallError", "ListenSyscallError": "ListenSyscallError"}.get(title, title)
    if name in SET_NAMES or name in UNIONS:
        cls: type = globals()[name]
        return cls
    return None


def sets_of(cls: type) -> list[str]:
    """The sets an error class belongs to, as users write them, in syscall order."""
    return [set_title(s) for s in dict.fromkeys(CALL_SETS.values()) if issubclass(cls, globals()[s])]


def syscalls_of(cls: type) -> list[str]:
    """The syscalls that can raise an error class."""
    return [s for s, set_name in CALL_SETS.items() if issubclass(cls, globals()[set_name])]


def number(platform: str, name: str) -> Optional[int]:
    """The code `name` has on a platform ("linux", "macos", "windows"), or None."""
    return _NUMBERS[platform].get(name)


def names_of(platform: str, value: int) -> list[str]:
    """Every name of a code on a platform (aliases such as EWOULDBLOCK too)."""
    return [name for name, v in _NUMBERS[platform].items() if v == value]


def codes(name: str, syscall: str) -> dict[str, list[str]]:
    """The OS codes that make `syscall` raise error `name` (or UNREACHABLE: the
    caller bugs), per platform, as "NAME number [via helper]"."""
    out: dict[str, list[str]] = {"linux": [], "macos": [], "windows": []}
    for platform_tables, platforms in ((POSIX, ("linux", "macos")), (WINDOWS, ("windows",))):
        for key, entries in platform_tables.items():
            call, _, helper = (key, "", "") if key in STREAMS else key.partition(".")
            if call != syscall:
                continue
            via = f" via {helper}" if helper else ""
            for code, member in entries.items():
                if member != name:
                    continue
                for platform in platforms:
                    if helper == "fcntl" and platform == "linux":
                        continue  # Linux takes the flags in socket(2) itself: no fcntl step
                    value = number(platform, code)
                    # On Linux ENOTSUP is EOPNOTSUPP: one code, listed once.
                    if value is None or (code == "ENOTSUP" and value == number(platform, "EOPNOTSUPP")):
                        continue
                    out[platform].append(f"{code} {value}{via}")
    return out


def caller_bugs(syscall: str) -> dict[str, list[str]]:
    """The codes Zig treats as unreachable for `syscall` (sockffi: CallerError), per platform."""
    return codes(UNREACHABLE, syscall)


def outcome(platform: str, syscall: str, code: str) -> str:
    """What `syscall` raises for a code (by name) on a platform: a member's name,
    "CallerError", "Unexpected", or "ignored" (close)."""
    table = (WINDOWS if platform == "windows" else POSIX).get(syscall, {})
    member = table.get(code)
    if member is None and platform != "windows":
        # An alias (EWOULDBLOCK, EDEADLOCK, ENOTSUP on Linux) means the code of its twin.
        value = number(platform, code)
        member = next((m for c, m in table.items() if value is not None and number(platform, c) == value), None)
    if member == UNREACHABLE:
        return "CallerError"
    if member:
        return member
    return "ignored" if syscall == "close" else "Unexpected"


#: bind's and connect's codes whose class the socket's own state decides (read
#: in C on the error path, _sockffi.c's SF_CLASSIFY_ADDRESS and
#: sf_address_state): per platform.
STATE_DEPENDENT: dict[str, tuple[str, ...]] = {
    "posix": ("EINVAL",),
    "windows": ("WSAEINVAL", "WSAEFAULT", "WSAEOPNOTSUPP"),
}


def conditional(platform: str, syscall: str, code: str) -> Optional[str]:
    """The rule for a code whose class depends on the socket, as the code applies
    it (_seam.address_error), or None: what explanations and tables say."""
    if (
        syscall not in ("bind", "connect")
        or code not in STATE_DEPENDENT["windows" if platform == "windows" else "posix"]
    ):
        return None
    base = outcome(platform, syscall, code)
    rule = "AddressFamilyNotSupported if the socket is of another family than the address (a path: TypeError)"
    if base == "AlreadyBound":
        return f"{rule}; AlreadyBound if getsockname shows the socket bound; otherwise Unexpected (errno kept)"
    return f"{rule}; otherwise {base}"


def plain(doc: str) -> str:
    """A docstring without its reST markup, for the terminal."""
    import re

    text = re.sub(r":\w+:`~?(?:[\w.]+\.)?([^`]+)`", r"\1", doc)
    return " ".join(text.replace("``", "").split())

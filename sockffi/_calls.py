"""The public syscall functions, made from their records.

A syscall function in :mod:`sockffi.posix` is written as its signature and its
docstring; :func:`syscall` makes its body from the catalogue's record of the
same name: the socket it acts on (a Server's or Connection's own cell and
generation, read inside the C call, or a plain fd), each argument converted
by the kind the record gives it, the C call, the EINTR loop where Zig retries,
and the failure mapped to the call's set, carrying the address or the owner
it was given. The body is made as straight-line code, as if written out by
hand, so that what a call costs is what it would cost written out; its source
is registered with linecache, so a traceback shows it.

The calls whose result or argument handling is their own (socket, setsockopt,
getsockopt, getsockopt_error, accept, close) are written out in posix.py,
with the pieces below.
"""

from __future__ import annotations

import linecache
import os

from . import _addr, _args, _seam, errors
from ._catalogue import H
from ._sockffi import ffi as _ffi

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Optional, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

_type = type

#: How each argument kind is checked and converted in Python ({p}: the
#: parameter), and the C arguments it becomes. Every kind a record's public
#: helper uses must be here: an unknown one fails at import.
_CONVERT: dict[str, tuple[str, str]] = {
    "backlog": ("if _type({p}) is not int or not 0 <= {p} <= _INT_MAX:\n    {p} = _backlog_of({p})", "{p}"),
    "how": ("if _type({p}) is not int or not 0 <= {p} <= 2:\n    {p} = _how_of({p})", "{p}"),
    "level": ("if _type({p}) is not int:\n    {p} = _c_int({p}, {p!r})", "{p}"),
    "option": ("if _type({p}) is not int:\n    {p} = _c_int({p}, {p!r})", "{p}"),
    "value": ("if _type({p}) is not int:\n    {p} = _c_int({p}, {p!r})", "{p}"),
    "sendflags": ("if _type({p}) is not int:\n    {p} = _c_int({p}, {p!r})", "{p}"),
    # Exact bytes cross as they are (cffi passes their buffer); anything else
    # by its buffer, whose byte count is the length.
    "data": ("if _type({p}) is not bytes:\n    {p} = _data_of({p})", "{p}, _len({p})"),
    "recvflags": ("if _type({p}) is not int:\n    {p} = _c_int({p}, {p!r})", "{p}"),
    # A new buffer of size bytes, not zeroed (the kernel writes what is read).
    # A receive buffer of at least size bytes, not zeroed (the kernel writes
    # what is read, and only that is read back): up to _POOLED bytes, one of
    # the pool's (each is only ever one call's: popped, then given back once
    # its bytes are copied out), else a new one.
    "size": (
        "if _type({p}) is not int or {p} < 0:\n    {p} = _size_of({p})\n"
        "if {p} <= _POOLED:\n    try:\n        _buf = _pool_pop()\n    except IndexError:\n"
        "        _buf = _chars(_POOLED)\nelse:\n    _buf = _chars({p})",
        "_buf, {p}",
    ),
    # The caller's writable buffer, and how much of it (None or 0: all of it).
    # (A bytearray is always writable, a memoryview says whether it is, and
    # neither type can be subclassed: the cheaper view, inline.)
    "into": (
        "if _type({p}) is bytearray or (_type({p}) is memoryview and not {p}.readonly and {p}.c_contiguous):\n"
        "    _view = _from_buffer({p})\nelse:\n    _view = _writable_of({p})",
        "_view",
    ),
    "intosize": ("if {p} is None:\n    {p} = _len(_view)\nelse:\n    {p} = _into_size({p}, _view)", "{p}"),
    "address": (
        "_family, _a4, _data, _length, _port, _flow, _scope = _encode({p}, {name!r})",
        "_family, _a4, _data, _length, _port, _flow, _scope",
    ),
    # An address or None (sendmsg's: AF_UNSPEC, no msg_name).
    "optaddress": (
        "if {p} is None:\n    _family, _a4, _data, _length, _port, _flow, _scope = _NO_ADDRESS\n"
        "else:\n    _family, _a4, _data, _length, _port, _flow, _scope = _encode({p}, {name!r})",
        "_family, _a4, _data, _length, _port, _flow, _scope",
    ),
    # The buffers, each viewed (held for the call), as C's pointer and length arrays.
    "buffers": ("_bufs, _lens, _count, _held = _buffers_of({p})", "_bufs, _lens, _count"),
}

#: The kinds a C int or size_t carries, which an OverflowError names.
_SCALAR = ("backlog", "how", "level", "option", "value", "sendflags", "recvflags", "size", "intosize")

#: The kinds no parameter gives: what the call fills, made here.
_MADE: dict[str, tuple[str, str]] = {
    # A pooled one, as the receive buffers are: held by one call at a time.
    "source": ("try:\n    _from = _froms_pop()\nexcept IndexError:\n    _from = _froms()", "_from"),
}

#: What a result of each kind gives the caller: (what is done with any
#: result, first; what is returned for one >= 0).
_RESULT: dict[str, tuple[str, str]] = {
    "zero": ("", "return None"),
    "count": ("", "return r"),
    # recv's bytes: never more than the buffer (MSG_TRUNC's count can be larger).
    "received": (
        "",
        "_got = _unpack(_buf, r if r <= {size} else {size})\n"
        "if {size} <= _POOLED and _len(_pool) < 8:\n    _pool_append(_buf)\nreturn _got",
    ),
    "received_from": (
        "",
        "_got = _unpack(_buf, r if r <= {size} else {size})\n"
        "if {size} <= _POOLED and _len(_pool) < 8:\n    _pool_append(_buf)\n"
        "_src = _source(_from)\nif _len(_froms_pool) < 8:\n    _froms_append(_from)\nreturn (_got, _src)",
    ),
    "count_from": ("", "_src = _source(_from)\nif _len(_froms_pool) < 8:\n    _froms_append(_from)\nreturn (r, _src)"),
    # A packed name is looked up before the sign is tested: no negative
    # result is ever cached, and the commonest call is one lookup shorter.
    "name": ("found = _names_get(r)\nif found is not None:\n    return found", "return _name_of(r, fd, {name!r})"),
}


def error_for(name: str, given_an_int: bool = False) -> Callable[..., Exception]:
    """The exception for a failed call of syscall `name`: its set's member (a
    code whose meaning is the socket's state read as bind's and connect's
    are), carrying the address it was given, or the owner's address when it
    was given a Server or Connection; an owner that no longer held its
    socket by the time the C looked is refused as closed. `given_an_int`:
    the one for a call given an exact int, with no owner to look for (the
    error path is measured too)."""
    record = errors.RECORDS[name]
    owners = _seam.OWNERS
    rejected_flag = _seam.REJECTED
    if not record.library_match:
        make = _MAKERS.get(name)
        if make is None:
            make = _MAKERS[name] = _seam.error_maker(getattr(_seam.DIRECT, name), name)
        if given_an_int:
            return make

        def owned(r: int, fd: object) -> Exception:
            exc: Any = make(r, fd)
            if _type(fd) in owners and not -r & rejected_flag:
                exc._address = fd._context  # type: ignore[attr-defined]
            return exc  # type: ignore[no-any-return]

        return owned

    other_family = _seam.OTHER_FAMILY

    def error(r: int, fd: object, address: object = None) -> Exception:
        if -r & rejected_flag:
            return _seam.rejected(-r, name, fd)
        if -r & other_family and isinstance(address, (str, bytes, bytearray, os.PathLike)):
            return _addr.path_on_an_ip_socket(address, name)
        exc: Any = _seam.address_error(r, name)
        if address is not None:
            exc._address = address
        elif _type(fd) in owners:
            exc._address = fd._context  # type: ignore[attr-defined]
        return exc  # type: ignore[no-any-return]

    return error


_MAKERS: dict[str, Callable[..., Exception]] = {}


def _name_of(r: int, fd: Any, syscall: str) -> Any:
    """A getsockname/getpeername result no cache had: decoded (and
    remembered where it is packed), or read from the shared name buffer the
    call claimed, or, when another call held that buffer, read again into a
    buffer of this call's own (from the same socket)."""
    cell, ref = (_seam.NULL, fd) if _type(fd) is int else _seam.socket_of(fd, syscall)
    return _addr.name_of(r, cell, ref, syscall)


def syscall(fn: F) -> F:
    """The public function for the record named as ``fn``, with ``fn``'s
    signature and docstring, its body made from the record (see the module's
    docstring)."""
    return _made(fn, fn.__name__)


def variant(record_name: str, *kinds: str, result: str) -> Callable[[F], F]:
    """The public function of another shape for the record's first C call
    (recv_into for recv): ``kinds`` say how each of fn's parameters becomes
    that call's arguments, ``result`` what it returns; the rest is the
    record's."""

    def made(fn: F) -> F:
        VARIANTS.setdefault(record_name, []).append(fn.__name__)
        return _made(fn, record_name, H(*kinds, result=result))

    return made


#: The variants of each record's function, by the record's name (the docs list them with it).
VARIANTS: dict[str, list[str]] = {}


def _made(fn: F, record_name: str, shape: Optional[H] = None) -> F:
    import inspect

    name = fn.__name__
    record = errors.RECORDS[record_name]
    helper, spec = next(iter(record.helpers.items()))
    spec = shape or spec
    params = list(inspect.signature(fn).parameters.values())
    kinds = [kind for kind in spec.args if kind not in _MADE]
    if not kinds or kinds[0] != "sock" or params[0].name != "fd" or len(kinds) != len(params):
        raise TypeError(
            f"{name}: its record's first helper does not take (fd, {', '.join(p.name for p in params[1:])})"
        )
    if spec.result not in _RESULT:
        raise TypeError(f"{name}: no result handling for kind {spec.result!r} (add it to _calls._RESULT)")
    converts, cargs, ints = [], [], []
    parameters = iter(params[1:])
    for kind in spec.args[1:]:
        if kind in _MADE:
            convert, passed = _MADE[kind]
            converts += convert.splitlines()
            cargs.append(passed)
            continue
        param = next(parameters)
        if kind not in _CONVERT:
            raise TypeError(f"{name}: no conversion for argument kind {kind!r} (add it to _calls._CONVERT)")
        convert, passed = _CONVERT[kind]
        converts += convert.format(p=param.name, name=name).splitlines()
        cargs.append(passed.format(p=param.name))
        if kind in _SCALAR:
            ints.append(f", {param.name}={param.name}")
    address = next((p.name for p, k in zip(params, kinds) if k in ("address", "optaddress")), None)
    rest = "".join(", " + a for a in cargs)
    # A plain fd goes to the helper's _fd twin when it has one: no pointer
    # argument for cffi to convert, which is most of a one-argument call's
    # cost. The C function is read from _seam.C at call time (the layers of
    # sockffi.trace and sockffi.testing replace it there).
    twin = f"{helper}_fd" in record.helpers
    int_call = f"_C.{helper}_fd(fd{rest})" if twin else f"_C.{helper}(_NULL, fd{rest})"
    overflow = f"    raise _overflow({name!r}, fd=fd{''.join(ints)}) from None"
    given = {kind: param.name for param, kind in zip(params, kinds)}  # a result may use an argument
    first, result = (part.format(name=name, **given).splitlines() for part in _RESULT[spec.result])

    def attempt(call: str, *before: str) -> list[str]:
        lines = ["try:", f"    r = {call}", "except OverflowError:", overflow]
        lines += [*first, "if r >= 0:", *("    " + line for line in result)]
        if record.eintr:  # an interrupted call is made again once the signal handlers ran (Zig retries it)
            lines = ["while True:", *("    " + line for line in lines)]
            lines += ["    if (-r & _CODE_MASK) != _EINTR or -r & _REJECTED:", "        break"]
        return [*before, *lines]  # the arguments are converted once, however often the call is made

    # The owner's socket is resolved before the arguments are converted (a
    # closed owner is the first thing said), a plain fd's after.
    body = [
        "if _type(fd) is int:",
        *("    " + line for line in attempt(int_call, *converts)),
        f"    raise _int_error(r, fd{', ' + address if address else ''})",
        f"_cell, _ref = _socket_of(fd, {name!r})",
        *attempt(f"_C.{helper}(_cell, _ref{rest})", *converts),
        f"raise _error(r, fd{', ' + address if address else ''})",
    ]
    signature = ", ".join(str(p.replace(annotation=inspect.Parameter.empty)) for p in params)
    source = f"def {name}({signature}):\n" + "".join(f"    {line}\n" for line in body)
    filename = os.path.join(os.path.dirname(__file__), f"<syscall {name}>")
    # The defining module's names first (typing.get_type_hints() reads the
    # annotations in __globals__), then what the body uses.
    namespace = {
        **fn.__globals__,
        **_NAMESPACE,
        "_error": error_for(record_name),
        "_int_error": error_for(record_name, True),
    }
    exec(compile(source, filename, "exec"), namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    made = namespace[name]
    made.__doc__, made.__module__, made.__qualname__ = fn.__doc__, fn.__module__, fn.__qualname__
    made.__annotations__ = fn.__annotations__
    made.__defaults__, made.__kwdefaults__ = fn.__defaults__, fn.__kwdefaults__
    return made  # type: ignore[no-any-return]


_NAMESPACE: dict[str, Any] = {
    "_type": _type,
    "_C": _seam.C,
    "_NULL": _seam.NULL,
    "_socket_of": _seam.socket_of,
    "_overflow": _args.overflow,
    "_c_int": _args.c_int,
    "_data_of": _args.data_of,
    "_size_of": _args.size_of,
    "_chars": _args.chars,
    "_POOLED": _args.POOLED,
    "_pool": _args.POOL,
    "_pool_pop": _args.POOL.pop,
    "_pool_append": _args.POOL.append,
    "_froms": _args.froms,
    "_froms_pool": _args.FROMS,
    "_froms_pop": _args.FROMS.pop,
    "_froms_append": _args.FROMS.append,
    "_unpack": _ffi.unpack,
    "_from_buffer": _ffi.from_buffer,
    "_writable_of": _args.writable_of,
    "_into_size": _args.into_size,
    "_source": _addr.source,
    "_buffers_of": _args.buffers_of,
    "_NO_ADDRESS": (0, 0, _seam.NULL, 0, 0, 0, 0),
    "_len": len,
    "_backlog_of": _args.backlog_of,
    "_how_of": _args.how_of,
    "_INT_MAX": _seam.INT_MAX,
    "_CODE_MASK": _seam.CODE_MASK,
    "_REJECTED": _seam.REJECTED,
    "_EINTR": _seam.backend.INTERRUPTED,
    "_encode": _addr.encode,
    "_names_get": _addr.names.get,
    "_name_of": _name_of,
}

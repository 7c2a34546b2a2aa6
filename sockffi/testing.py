"""Make a socket call fail on purpose, in your own test suite.

Two ways, for two kinds of test:

**The kernel answers** (Linux, x86_64 and aarch64): mark a test and, while it
runs, that syscall returns that errno, for any code in the process: CPython's
``socket``, asyncio, a framework, sockffi::

    @pytest.mark.sockffi_fail("bind", "EADDRINUSE")
    def test_a_friendly_message_when_the_port_is_taken(capsys): ...

    # only that one setsockopt:
    @pytest.mark.sockffi_fail("setsockopt", "ENOPROTOOPT", option="SO_REUSEPORT")

The pytest plugin comes with sockffi (the ``pytest11`` entry point ``sockffi``).
The marked test runs inside pytest's own protocol, with a seccomp filter whose
supervisor answers (and counts) the calls; a marked test whose code never made
the call fails. It works under ``pytest -n auto``.

**sockffi raises** (every OS): inside ``fail(...)``, the next matching sockffi
call raises the named error without making the syscall, with this platform's
real code (``errno``, and ``winerror`` on Windows), through exactly the error
construction a real failure takes::

    with sockffi.testing.fail("bind", sockffi.AddressInUse):
        server = start_my_server(preferred_port=8080)   # its first bind fails

Off, and free, unless used: it is a layer over sockffi's C calls, as
:mod:`sockffi.trace` is, gone once spent or closed. One that never fired raises
:class:`NotFired` when closed. The ``sockffi_fail_next`` fixture is the same,
undone at the end of the test.

Either refuses, with a clear error, a call name it does not know, an error code
this platform does not have, and an error the call's set does not contain: a
test of something that cannot happen proves nothing.
"""

from __future__ import annotations

import threading
from typing import Any, Optional, Union

from . import _args, _seam, errors
from ._catalogue import SPANS
from ._sockffi import ffi as _ffi

#: An error as a class or a name (an error's or an OS code's).
ErrorSpec = Union[str, type]

__all__ = ["ACTIVE", "CALLS", "Failure", "Injection", "NotFired", "Shortening", "fail", "resolve", "short_sends"]

#: The calls that can be made to fail, with the C calls of sockffi's each one
#: is (from the syscall records).
CALLS: dict[str, tuple[str, ...]] = {name: tuple(r.helpers) for name, r in errors.RECORDS.items() if r.set}
#: What an argument match may name, per call: (index in the syscall, mask).
MATCHABLE: dict[str, dict[str, tuple[int, int]]] = {name: r.match for name, r in errors.RECORDS.items() if r.match}


class Failure:
    """A resolved request: ``call`` fails with ``code`` (named ``code_name``),
    which sockffi raises as ``error``."""

    __slots__ = ("call", "code", "code_name", "error")

    def __init__(self, call: str, error: type, code: int, code_name: str) -> None:
        self.call, self.error, self.code, self.code_name = call, error, code, code_name

    def __repr__(self) -> str:
        return f"<{self.call} fails with {self.code_name} ({self.code}): {self.error.__name__}>"


def _platform() -> str:
    return str(_seam.backend.PLATFORM)


def resolve(call: str, error: ErrorSpec, code: Optional[str] = None) -> Failure:
    """Check a request and find the code this platform gives for it.

    ``error`` is one of the error classes (or its name), or an OS code's
    name (``"EADDRINUSE"``, ``"WSAEADDRINUSE"``). ``Unexpected`` takes the code
    to raise it with (``code="EIO"``), one the call's set does not name.
    """
    if call not in CALLS:
        raise ValueError(f"sockffi.testing cannot fail {call!r}: the calls are {', '.join(CALLS)}")
    set_name = errors.SYSCALLS[call]
    table = _seam.table(call)  # code -> class, on this platform
    if isinstance(error, type):
        cls: type = error
        if not issubclass(cls, errors.SockffiError) or cls.__name__ not in errors.ERROR_NAMES:
            raise TypeError(
                f"error must be one of sockffi's {len(errors.ERROR_NAMES)} error classes or a code's name, not {cls!r}"
            )
    elif isinstance(error, str) and error in errors.ERROR_NAMES:
        cls = getattr(errors, error)
    elif isinstance(error, str):
        value = _seam.backend.code(error)
        if value is None:
            raise ValueError(f"{error} is not an OS error code on this platform ({_platform()})")
        found = table.get(value)
        if found is None or found is errors.CallerError:
            what = "CallerError (a bug in the calling code)" if found else "Unexpected"
            raise ValueError(
                f"{call} does not fail with {error} as a member of {errors.set_title(set_name)}: sockffi would "
                f"raise {what}, a test of which proves nothing; codes {call} can fail with here: {_codes(table)}"
            )
        return Failure(call, found, value, error)
    else:
        raise TypeError(f"error must be an error class or a name, not {type(error).__name__}")
    if not issubclass(cls, getattr(errors, set_name)):
        members = ", ".join(errors.SETS[set_name])
        raise ValueError(f"{call} cannot raise {cls.__name__}: it is not in {errors.set_title(set_name)} ({members})")
    if cls is errors.Unexpected:
        if code is None:
            raise ValueError("Unexpected needs the code to raise it with: code='EIO', say")
        value = _seam.backend.code(code)
        if value is None:
            raise ValueError(f"{code} is not an OS error code on this platform ({_platform()})")
        if table.get(value) is not None:
            raise ValueError(f"{code} is not Unexpected from {call}: it means {table[value].__name__}")
        return Failure(call, cls, value, code)
    platform_table = _seam.backend.TABLES
    for name, member in platform_table.get(call, {}).items():
        value = _seam.backend.code(name)
        if member == cls.__name__ and value is not None and table.get(value) is cls:
            return Failure(call, cls, value, name)
    raise ValueError(f"on this platform ({_platform()}) no OS code makes {call} raise {cls.__name__}")


def _codes(table: dict[int, type]) -> str:
    shown = [
        f"{_seam.backend.code_name(c)} ({k.__name__})"
        for c, k in table.items()
        if k is not errors.CallerError and k is not errors.Unexpected
    ]
    return ", ".join(shown)


def _match_value(call: str, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{call}'s {key} to match must be an int or a constant's name, not {value!r}")
    if isinstance(value, str):
        import sockffi

        number = getattr(sockffi, value, None)
        if not isinstance(number, int):
            raise ValueError(f"{value!r} is not a constant sockffi knows on this platform")
        return number
    return value


def kernel_spec(call: str, error: ErrorSpec, **match: object) -> dict[str, Any]:
    """What the pytest plugin's fresh interpreter installs: the syscall, its
    errno, and the argument matches (index -> [value, mask])."""
    if call == "getsockopt_error":
        raise ValueError(
            "the kernel cannot be made to store a code in SO_ERROR: mark 'connect' to fail the connect "
            "itself, or use sockffi.testing.fail('getsockopt_error', ...)"
        )
    if call not in CALLS:
        kernel = ", ".join(name for name in CALLS if errors.RECORDS[name].kernel == name)
        raise ValueError(
            f"the sockffi_fail marker cannot fail {call!r}: the syscalls it can are {kernel} (a composed "
            "call such as connect_tcp fails at one of its steps: mark 'socket' or 'connect')"
        )
    failure = resolve(call, error)
    allowed = MATCHABLE.get(call, {})
    matches: dict[str, list[int]] = {}
    for key, value in match.items():
        if key not in allowed:
            can = ", ".join(allowed) or "nothing"
            raise ValueError(f"{call} can be matched on {can} (the scalar arguments of the syscall), not {key!r}")
        index, mask = allowed[key]
        matches[str(index)] = [_match_value(call, key, value), mask]
    return {
        "syscall": errors.RECORDS[call].kernel,
        "errno": failure.code,
        "name": failure.code_name,
        "matches": matches,
    }


# ------------------------------------------------------------------- library-level


#: The arguments an injection can match on, by kind; an address's port is its fifth C argument.
_MATCHED = ("family", "type", "protocol", "level", "option", "backlog", "how", "sendflags")
_PORT_IN_ADDRESS = 4


def _arguments(name: str, args: tuple[Any, ...]) -> dict[str, int]:
    """The matchable arguments of one of sockffi's C calls, by its record's kinds."""
    found: dict[str, int] = {}
    i = 0
    for kind in _HELPER_SPECS[name].args:
        if kind in _MATCHED:
            found[kind] = args[i] & 0xF if kind == "type" else args[i]
        elif kind in ("address", "optaddress"):
            found["port"] = args[i + _PORT_IN_ADDRESS]
        i += SPANS.get(kind, 1)
    return found


class NotFired(AssertionError):
    """An injection that was required to fire and never did: the code under test
    never made the call it waited for, so the test proved nothing."""


#: The injections armed now, in the order they were made (the pytest plugin
#: undoes and reports what a test leaves here).
ACTIVE: list[Injection] = []


class Injection:
    """An active :func:`fail`: ``count`` is how many calls it failed so far,
    ``seen`` how many of each of sockffi's socket calls it saw meanwhile."""

    def __init__(
        self,
        failure: Failure,
        times: Optional[int],
        match: dict[str, object],
        required: bool = True,
        after_bytes: Optional[int] = None,
    ) -> None:
        self.failure = failure
        self.times = times
        self.required = required
        self.count = 0
        #: The bytes the calls may really send before the failures start (None: no budget).
        self.after_bytes = after_bytes
        #: How many bytes they really sent meanwhile.
        self.sent = 0
        self.seen: dict[str, int] = {}
        allowed = {*MATCHABLE.get(failure.call, {}), *errors.RECORDS[failure.call].library_match}
        for key in match:
            if key not in allowed:
                can = ", ".join(sorted(allowed)) or "nothing"
                raise ValueError(f"{failure.call} can be matched on {can}, not {key!r}")
        self.match = {k: _match_value(failure.call, k, v) for k, v in match.items()}
        self._lock = threading.Lock()
        # The result sockffi's C gives for this failure; bind's EINVAL is
        # AlreadyBound only on a socket its getsockname shows bound.
        flags = _seam.BOUND if failure.error is errors.AlreadyBound else 0
        # getsockopt_error reports what SO_ERROR holds: the code itself.
        self.result = failure.code if failure.call == "getsockopt_error" else -(failure.code | flags)
        self.active = False
        self._checked = False

    def _take(self, name: str, args: tuple[Any, ...]) -> Optional[bool]:
        """Whether this call fails (None: it fails and was the last one)."""
        if self.match:
            given = _arguments(name, args)
            if any(given.get(k) != v for k, v in self.match.items()):
                return False
        with self._lock:
            if not self.active or (self.times is not None and self.count >= self.times):
                return False
            self.count += 1
            return None if self.times is not None and self.count >= self.times else True

    def _saw(self, name: str) -> None:
        syscall = _SYSCALL_OF.get(name, name)
        self.seen[syscall] = self.seen.get(syscall, 0) + 1

    def _layer(self, name: str, fn: Any) -> Any:
        if name in _seam.ONE_CROSSING:
            return None  # listen_tcp takes its step path, so each step can fail
        saw = self._saw
        if name not in CALLS[self.failure.call]:
            if name not in _SYSCALL_OF:
                return fn

            def watched(*args: Any) -> int:
                saw(name)
                out: int = fn(*args)
                return out

            return watched
        result = self.result

        spec = _HELPER_SPECS[name]

        def failing(*args: Any) -> int:
            saw(name)
            if self.after_bytes is not None:
                with self._lock:
                    room = self.after_bytes - self.sent
                if room > 0:  # still within the budget: really sent, at most what is left
                    out: int = fn(*_at_most(spec, args, room))
                    if out > 0:
                        with self._lock:
                            self.sent += out
                    return out
            taken = self._take(name, args)
            if taken is None:  # spent: from the next call on, no layer at all
                self._remove()
                return result
            if taken:
                return result
            passed: int = fn(*args)
            return passed

        return failing

    def __enter__(self) -> Injection:
        with _seam.LOCK:
            if not self.active and not self._checked:
                self.active = True
                _seam.push_layer(self, self._layer, rank=0)
                ACTIVE.append(self)
        return self

    def _remove(self) -> None:
        with _seam.LOCK:
            self.active = False
            _seam.pop_layer(self)
            if self in ACTIVE:
                ACTIVE.remove(self)

    def close(self) -> None:
        """End it (idempotent). A required injection that never fired raises
        :class:`NotFired` here, once."""
        self._remove()
        if self.required and self.count == 0 and not self._checked:
            self._checked = True
            raise NotFired(self.describe_unfired())
        self._checked = True

    def describe_unfired(self) -> str:
        what = f"sockffi.testing.fail({self.failure.call!r}, {self.failure.error.__name__}"
        what += "".join(f", {k}={v!r}" for k, v in self.match.items()) + ")"
        seen = ", ".join(f"{name} x{n}" for name, n in sorted(self.seen.items())) or "none"
        return (
            f"{what} never fired: no sockffi {self.failure.call} call"
            f"{' matching ' + repr(self.match) if self.match else ''} was made while it was armed "
            f"(sockffi calls seen meanwhile: {seen}). Code that uses CPython's socket module directly "
            "is not seen here: use the sockffi_fail marker, which the kernel answers. "
            "Pass required=False if not firing is fine."
        )

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is not None:  # the test's own error says more; never mask it
            self._checked = True
        self.close()

    def __repr__(self) -> str:
        state = "active" if self.active else "done"
        return f"<sockffi.testing.fail {self.failure!r}, {self.count} so far, {state}>"


#: sockffi's C calls -> the syscall each one is (what `seen` counts), and their specs.
_SYSCALL_OF: dict[str, str] = {name: r.name for r in errors.RECORDS.values() for name in r.helpers}
_HELPER_SPECS = {name: spec for r in errors.RECORDS.values() for name, spec in r.helpers.items()}


def fail(
    call: str,
    error: ErrorSpec,
    *,
    times: Optional[int] = 1,
    code: Optional[str] = None,
    required: bool = True,
    after_bytes: Optional[int] = None,
    **match: object,
) -> Injection:
    """Make sockffi's own calls fail, without making the syscall.

    While active, the next ``times`` matching sockffi ``call`` calls (every one,
    with ``times=None``) raise ``error``, with this platform's code for it.
    Use it as a context manager, or ``.close()`` it.

    ``match`` narrows which calls: ``socket(family=, type=, protocol=)``,
    ``setsockopt(level=, option=)``, ``getsockopt(level=, option=)``,
    ``listen(backlog=)``, ``shutdown(how=)``, ``bind(port=)``,
    ``connect(port=)``; constants by value or by name (``option="SO_REUSEPORT"``).
    ``getsockopt_error`` fails by reporting the code as what SO_ERROR held.

    ``after_bytes=N`` (a call that sends: send, sendto, sendmsg, which
    Connection.write and write_all make) lets the first N bytes really go
    out, the call that reaches N sending only what is left and returning that
    short count, and fails the calls after: a peer that resets a stream
    after N bytes (``fail("sendmsg", ConnectionResetByPeer, after_bytes=N)``
    makes ``conn.write_all`` raise with ``e.sent == N``).

    Once ``times`` calls have failed, the injection removes itself: later calls
    cost what they cost with no injection. Closing (or leaving the ``with``
    block) an injection that never fired raises :class:`NotFired`, saying what
    it waited for and which sockffi calls were made instead, unless
    ``required=False``. Outside pytest, a ``fail()`` that is never closed stays
    armed (process-wide, every thread) until its ``times`` are used up; under
    the pytest plugin, anything still armed when a test ends is undone and that
    test fails.
    """
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError(f"times must be a positive int, or None for every call, not {times!r}")
    if required is not True and required is not False:
        raise TypeError(f"required must be True or False, not {required!r}")
    if after_bytes is not None:
        _check_sending(call, "after_bytes")
        after_bytes = _args.size_of(after_bytes, "after_bytes")
    return Injection(resolve(call, error, code), times, match, required, after_bytes).__enter__()


#: The calls that send bytes, and how each of their C calls carries them.
_SENDING_KINDS = ("data", "buffers")


def _check_sending(call: str, what: str) -> None:
    if call not in CALLS:
        raise ValueError(f"sockffi.testing cannot fail {call!r}: the calls are {', '.join(CALLS)}")
    kinds = {k for helper in CALLS[call] for k in _HELPER_SPECS[helper].args}
    if not kinds & set(_SENDING_KINDS):
        sending = [c for c in CALLS if any(k in _SENDING_KINDS for h in CALLS[c] for k in _HELPER_SPECS[h].args)]
        raise ValueError(f"{what} needs a call that sends bytes ({', '.join(sending)}), not {call!r}")


def _at_most(spec: Any, args: tuple[Any, ...], room: int) -> tuple[Any, ...]:
    """A sending call's arguments with at most `room` of its bytes: the same
    data, a shorter length (a gather list cut where the room ends)."""
    i = 0
    for kind in spec.args:
        if kind == "data":
            if args[i + 1] <= room:
                return args
            return (*args[: i + 1], room, *args[i + 2 :])
        if kind == "buffers":
            bufs, lens, count = args[i : i + 3]
            total = sum(lens[k] for k in range(count))
            if total <= room:
                return args
            cut = _ffi.new("size_t[]", max(count, 1))
            left = room
            for k in range(count):
                cut[k] = min(lens[k], left)
                left -= cut[k]
            return (*args[:i], bufs, cut, count, *args[i + 3 :])
        i += SPANS.get(kind, 1)
    return args


class Shortening:
    """An active :func:`short_sends`: ``count`` is how many calls it made short."""

    def __init__(self, call: str, size: int, times: Optional[int], required: bool) -> None:
        self.call, self.size, self.times, self.required = call, size, times, required
        self.count = 0
        self._lock = threading.Lock()
        self.active = False
        self._checked = False

    def _layer(self, name: str, fn: Any) -> Any:
        if name in _seam.ONE_CROSSING:
            return None
        if name not in CALLS[self.call]:
            return fn
        spec = _HELPER_SPECS[name]

        def shortened(*args: Any) -> int:
            with self._lock:
                live = self.active and (self.times is None or self.count < self.times)
                if live:
                    self.count += 1
            if not live:
                out: int = fn(*args)
                return out
            cut: int = fn(*_at_most(spec, args, self.size))
            return cut

        return shortened

    def __enter__(self) -> Shortening:
        with _seam.LOCK:
            if not self.active and not self._checked:
                self.active = True
                _seam.push_layer(self, self._layer, rank=0)
        return self

    def close(self) -> None:
        """End it; one that was required and never made a call short raises NotFired."""
        with _seam.LOCK:
            self.active = False
            _seam.pop_layer(self)
        if self.required and self.count == 0 and not self._checked:
            self._checked = True
            raise NotFired(f"sockffi.testing.short_sends({self.call!r}, {self.size}) never fired: no {self.call} call")
        self._checked = True

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        if exc_type is not None:
            self._checked = True
        self.close()


def short_sends(call: str = "send", size: int = 1, *, times: Optional[int] = 1, required: bool = True) -> Shortening:
    """Make the next ``times`` sockffi ``call`` calls (send, sendto, sendmsg:
    Connection.write and write_all make sendmsg) send at most ``size`` bytes
    each, for real, returning that short count, as a full socket buffer does:
    a test of code that must handle a short send. A context manager, or
    ``.close()`` it; one that never fired raises :class:`NotFired`."""
    _check_sending(call, "short_sends")
    size = _args.size_of(size, "size")
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError(f"times must be a positive int, or None for every call, not {times!r}")
    return Shortening(call, size, times, required).__enter__()

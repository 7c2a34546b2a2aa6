"""``sockffi`` on the command line: watch the calls happen, look errors up, make one happen.

    sockffi listen ADDRESS [--backlog N] [--no-reuse-address] [--reuse-port]
                           [--nonblocking] [--dualstack-ipv6] [--hold SECONDS|forever]
    sockffi errors [CALL] [--json]
    sockffi explain NAME|CODE
    sockffi reproduce NAME | --list
    sockffi demo
    sockffi --version

This module only reads arguments and renders: what it shows comes from
:mod:`sockffi.errors` (the tables and their queries), :mod:`sockffi.trace`
(the calls as they happen) and the library itself.

Exit status: 0 on success, 1 when ``reproduce`` cannot run its recipe here
(or cannot start its child interpreter, or the call did not fail), 2 for bad
usage, an error's own status (``sockffi errors --json`` gives each one's; 10
and up, never reused) for an error from the OS (also when ``reproduce`` made
it happen), 70 for a caller bug (CallerError), 74 when the
output could not be written, 130 when interrupted. A socket held with ``--hold`` is released
on Ctrl-C, SIGTERM and SIGHUP alike (its file removed), and that exit is 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import sys
import textwrap
import time
from collections.abc import Iterator, Sequence
from typing import Any, Optional

from .. import __version__, _args, errors, trace
from .._sockffi import lib as _lib
from ..net import Connection, Server, connect_tcp, connect_unix, listen_tcp, listen_unix
from . import _render

EXIT_USAGE = _render.EXIT_USAGE
EXIT_CALLER_BUG = _render.EXIT_CALLER_BUG
EXIT_OUTPUT = _render.EXIT_OUTPUT
EXIT_INTERRUPTED = _render.EXIT_INTERRUPTED
EXIT_CODES = errors.EXIT_CODES
HINTS = _render.HINTS
Style = _render.Style
trace_line = _render.trace_line
explain_failure = _render.explain_failure
exit_status = _render.exit_status


class UsageError(Exception):
    """Bad usage: one clear line, exit 2."""


# ------------------------------------------------------------------- listen


def parse_address(text: str) -> tuple[str, Any]:
    """("tcp", "HOST:PORT") or ("unix", path): a path must look like one (/..., ./...,
    ../..., unix:...) or be @name (abstract); anything else is a usage error."""
    if text.startswith("@"):
        if len(text) < 2:
            raise UsageError("'@' needs a name after it: @name is an abstract unix socket (Linux)")
        return "unix", "\0" + text[1:]
    if text.startswith("unix:"):
        if len(text) < 6:
            raise UsageError("'unix:' needs a path after it, such as unix:app.sock")
        return "unix", text[5:]
    if text.startswith(("/", "./", "../")):
        return "unix", text
    if re.fullmatch(r"\[[0-9A-Fa-f:.%\w-]+\]:\d+|[0-9.]+:\d+", text):
        return "tcp", text
    if ":" in text or text != text.strip():  # meant as HOST:PORT: say what is wrong with it
        from .._addr import why_not_host_port

        raise UsageError(why_not_host_port(text))
    raise UsageError(
        f"{text!r} is not an address: give HOST:PORT (127.0.0.1:8080), [HOST]:PORT ([::1]:8080), "
        "a unix socket path (/run/app.sock, ./app.sock, unix:app.sock) or @name (abstract, Linux)"
    )


def hold_seconds(text: str) -> float:
    """--hold: seconds (finite, not negative), or 'forever' (until Ctrl-C)."""
    if text.strip().lower() == "forever":
        return math.inf
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds or 'forever'") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give seconds (0 or more), or 'forever' to hold until Ctrl-C")
    return value


def backlog_value(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > 2**31 - 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the backlog is a whole number from 0 to 2147483647")
    return int(text)


def run_listen(
    target: tuple[str, Any],
    out: Any,
    err: Any,
    *,
    backlog: int = 128,
    reuse_address: bool = True,
    reuse_port: bool = False,
    nonblocking: bool = False,
    dualstack_ipv6: bool = False,
    hold: float = 0.0,
    indent: str = "",
) -> int:
    style = Style(out)
    kind, address = target

    show = _render.Echo(out, style, indent)
    try:
        with trace.observe(show):
            server: Server[Any]
            if kind == "tcp":
                server = listen_tcp(
                    address,
                    backlog=backlog,
                    reuse_address=reuse_address,
                    reuse_port=reuse_port,
                    nonblocking=nonblocking,
                    dualstack_ipv6=dualstack_ipv6,
                )
            else:
                server = listen_unix(address, backlog=backlog, nonblocking=nonblocking)
    except errors.SockffiError as exc:
        out.flush()
        block = explain_failure(exc, Style(err, len(indent)), unix=kind == "unix")
        err.write("\n" + "\n".join(indent + line for line in "\n".join(block).split("\n")) + "\n")
        err.flush()
        return exit_status(exc)
    with server:
        show.check()  # output that failed during the listen: the server closes on the way out
        shown = errors.describe_address(server.address)
        out.write(f"{indent}{style.bold('listening on ' + shown)} (fd {server.fd})\n")
        out.flush()
        try:
            if hold:
                how = "until Ctrl-C" if math.isinf(hold) else f"for {hold:g} s; Ctrl-C releases it"
                out.write(f"{indent}holding it {how}\n")
                out.flush()
                deadline = time.monotonic() + hold
                with _terminated_as_interrupt():
                    while time.monotonic() < deadline:
                        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        except Terminated as exc:
            out.write(f"{indent}{signal.Signals(exc.signum).name}: releasing it\n")
        except KeyboardInterrupt:
            out.write(f"{indent}interrupted: releasing it\n")
        finally:
            with trace.observe(show):
                server.close()
    show.check()
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP while holding a socket: released as Ctrl-C releases it
    (systemd, timeout and kill stop programs with SIGTERM; a closed terminal
    sends SIGHUP)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _terminated_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        raise Terminated(signum)

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {}
    try:
        for name in names:
            number = getattr(signal, name)
            previous[number] = signal.signal(number, handler)
    except ValueError:  # not the main thread: signals stay as they were
        pass
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def cmd_listen(args: argparse.Namespace, out: Any, err: Any) -> int:
    target = parse_address(args.address)
    if target[0] == "unix" and (args.reuse_port or args.dualstack_ipv6):
        raise UsageError("--reuse-port and --dualstack-ipv6 are for IP addresses, not unix sockets")
    try:
        return run_listen(
            target,
            out,
            err,
            backlog=args.backlog,
            reuse_address=args.reuse_address,
            reuse_port=args.reuse_port,
            nonblocking=args.nonblocking,
            dualstack_ipv6=args.dualstack_ipv6,
            hold=args.hold,
        )
    except (ValueError, TypeError, OverflowError) as exc:  # refused before any syscall
        raise UsageError(str(exc)) from None


def cmd_connect(args: argparse.Namespace, out: Any, err: Any) -> int:
    """connect_tcp / connect_unix, traced: each syscall, then the connection or
    the failure explained."""
    kind, address = parse_address(args.address)
    style = Style(out)
    show = _render.Echo(out, style, "")
    try:
        with trace.observe(show):
            if kind == "tcp":
                conn = connect_tcp(address, timeout=args.timeout)
            else:
                conn = connect_unix(address, timeout=args.timeout)
    except (ValueError, TypeError, OverflowError) as exc:  # refused before any syscall
        raise UsageError(str(exc)) from None
    except errors.SockffiError as exc:
        return _failed(exc, out, err, kind == "unix")
    with conn:
        show.check()
        out.write(f"{style.bold('connected to ' + errors.describe_address(conn.address))} (fd {conn.fd})\n")
        out.flush()
        try:
            with trace.observe(show):
                if args.send is not None:
                    _exchange(conn, args.send.encode(), out, style)
                conn.close()
        except errors.SockffiError as exc:
            return _failed(exc, out, err, kind == "unix")
    show.check()
    return 0


def _failed(exc: errors.SockffiError, out: Any, err: Any, unix: bool) -> int:
    """A failure explained on stderr, after what stdout already showed; its exit status."""
    out.flush()
    block = explain_failure(exc, Style(err), unix=unix)
    err.write("\n" + "\n".join(block) + "\n")
    err.flush()
    return exit_status(exc)


def _exchange(conn: Connection[Any], data: bytes, out: Any, style: Style) -> None:
    """--send: the bytes out (write_all: as many sends as it takes), then
    shutdown(SHUT_WR), the FIN that tells the peer nothing more comes, then
    every reply until the peer ends its side (recv's 0)."""
    conn.write_all(data)
    conn.shutdown(_lib.SHUT_WR)
    while True:
        got = conn.read(65536)
        if not got:
            out.write(f"{style.bold('the peer ended the stream')} (recv returned 0)\n")
            break
        out.write(f"{style.bold(f'received {len(got)} bytes:')} {got!r}\n")
        out.flush()


def timeout_value(text: str) -> float:
    """--timeout: connect_tcp's own rule for a timeout, said as argparse says it."""
    try:
        value = float(text)
        _args.timeout_ms(value)
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    return value


# ------------------------------------------------------------------- errors, explain


def describe_error(name: str, style: Style, detail: bool = False) -> list[str]:
    cls = getattr(errors, name)
    lines = [style.wrap(style.bold(name), f"({', '.join(errors.sets_of(cls))})", len(name) + 4)]
    if detail:
        lines.append(style.wrap("meaning", errors.plain(cls.__doc__ or "")))
        lines.append(style.wrap("hint", HINTS[name]))
    for syscall in errors.syscalls_of(cls):
        if name == "Unexpected":
            lines.append(style.wrap(syscall, "any code the set does not name (errno is kept)"))
            continue
        found = errors.codes(name, syscall)
        parts = [f"{label} {', '.join(found[key])}" for key, label in errors.PLATFORMS if found[key]]
        lines.append(style.wrap(syscall, "; ".join(parts) if parts else "(never, on any platform)"))
    return lines


def error_record(name: str) -> dict[str, Any]:
    cls = getattr(errors, name)
    return {
        "name": name,
        "meaning": errors.plain(cls.__doc__ or ""),
        "sets": errors.sets_of(cls),
        "exit_status": EXIT_CODES[name],
        "codes": {s: errors.codes(name, s) for s in errors.syscalls_of(cls)},
    }


def cmd_errors(args: argparse.Namespace, out: Any, err: Any) -> int:
    style = Style(out)
    calls = [args.call] if args.call else list(errors.CALLS)
    set_calls = [c for c in calls if c in errors.CALL_SETS]
    if args.json:
        data: dict[str, Any] = {
            "sets": {
                errors.set_title(errors.CALL_SETS[s]): {
                    "syscall": errors.RECORDS[s].kernel if s in errors.RECORDS else s,
                    "call": s,
                    "members": list(errors.SETS[errors.CALL_SETS[s]]),
                    "caller_bugs": errors.caller_bugs(s),
                }
                for s in set_calls
            },
            "errors": [
                error_record(n)
                for n in errors.ERROR_NAMES
                if any(s in set_calls for s in errors.syscalls_of(getattr(errors, n)))
            ],
        }
        if "close" in calls:
            data["close"] = {"caller_bugs": errors.caller_bugs("close"), "other_codes": "ignored, as in Zig"}
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    column = 4 + max(len(n) for n in (*errors.ERROR_NAMES, "(CallerError)"))
    for call in calls:
        bugs = errors.caller_bugs(call)
        bug_text = "; ".join(f"{label} {', '.join(bugs[key])}" for key, label in errors.PLATFORMS if bugs[key])
        if call == "close":
            out.write(style.bold("close(2) raises only CallerError") + "\n")
            out.write(style.wrap("(CallerError)", bug_text, column) + "\n")
            out.write(style.wrap("(other codes)", "ignored, as Zig's posix.close does", column) + "\n\n")
            continue
        set_name = errors.CALL_SETS[call]
        what = f"{call}(2)" if call in errors.RECORDS else call
        out.write(style.bold(f"{what} raises {errors.set_title(set_name)}") + "\n")
        for name in errors.SETS[set_name]:
            found = errors.codes(name, call)
            parts = [f"{label} {', '.join(found[key])}" for key, label in errors.PLATFORMS if found[key]]
            text = "; ".join(parts) if parts else ("any other code" if name == "Unexpected" else "never")
            out.write(style.wrap(name, text, column) + "\n")
        if bug_text:
            out.write(style.wrap("(CallerError)", bug_text, column) + "\n")
        # Codes whose class the socket decides, with the rule the code applies.
        for key, label in (("linux", "Linux, macOS"), ("windows", "Windows")):
            for code in errors.STATE_DEPENDENT["windows" if key == "windows" else "posix"]:
                rule = errors.conditional(key, call, code)
                if rule is not None:
                    out.write(style.wrap(f"({code})", f"{label}: {rule}", column) + "\n")
        out.write("\n")
    return 0


#: Where a list of calls starts its second column.
CALL_COLUMN = 4 + max(len(call) for call in errors.CALLS)
#: Names that mean a code of another: their outcome is that code's.
ALIASES = {"EWOULDBLOCK": "EAGAIN", "EDEADLOCK": "EDEADLK"}


def code_candidates(text: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """(code name, [(platform, number)...]) for every code `text` can mean."""
    t = text.strip().upper()
    if t.isascii() and t.isdigit():
        if len(t) > 6:
            return []
        n = int(t)
        found: dict[str, list[tuple[str, int]]] = {}
        for platform, _label in errors.PLATFORMS:
            for name in errors.names_of(platform, n):
                found.setdefault(name, []).append((platform, n))
        return list(found.items())
    where = [(p, errors.number(p, t)) for p, _ in errors.PLATFORMS]
    places = [(p, n) for p, n in where if n is not None]
    return [(t, places)] if places else []


def explain_code(name: str, places: list[tuple[str, int]], style: Style, out: Any) -> None:
    labels = dict(errors.PLATFORMS)
    shown = ", ".join(f"{labels[p]} {n}" for p, n in places)
    alias = f"; the same code as {ALIASES[name]}" if name in ALIASES else ""
    out.write(style.bold(f"{name} ({shown}{alias})") + "\n")
    platforms = [p for p, _ in places]
    groups = [("windows", "Windows")] if platforms == ["windows"] else [(platforms[0], "")]
    for platform, _ in groups:
        for call in errors.CALLS:
            result = errors.outcome(platform, call, ALIASES.get(name, name))
            rule = errors.conditional(platform, call, ALIASES.get(name, name))
            if rule is not None:
                text = rule
            elif result == "CallerError":
                text = "CallerError (Zig: unreachable; a bug in the calling code)"
            elif result == "ignored":
                text = "ignored, as Zig's posix.close does"
            elif result == "Unexpected":
                text = "Unexpected (not in this call's set; errno is kept)"
            else:
                text = f"{result}  ({', '.join(errors.sets_of(getattr(errors, result)))})"
            out.write(style.wrap(call, text, CALL_COLUMN) + "\n")


def explain_set(title: str, style: Style, out: Any) -> None:
    """A union (what a composed call raises: its sets, and its members), or one
    syscall's set (its members, and the calls that raise it)."""
    cls = errors.set_class(title)
    assert cls is not None
    members = [m.__name__ for m in getattr(cls, "members", ())]
    if cls.__name__ in errors.UNIONS:
        union = cls.__name__
        summary = " ".join((cls.__doc__ or "").split("\n\n")[0].split())
        out.write(style.wrap(style.bold(union), errors.plain(summary), len(union) + 4) + "\n")
        in_sets: set[str] = set()
        for set_name in errors.UNIONS[union]:
            in_sets.update(errors.SETS[set_name])
            text = ", ".join(errors.SETS[set_name])
            out.write(style.wrap(errors.set_title(set_name), text, CALL_COLUMN + 8) + "\n")
        extra = [m for m in members if m not in in_sets]
        if extra:
            out.write(style.wrap("(and)", f"{', '.join(extra)} (before any syscall)", CALL_COLUMN + 8) + "\n")
        out.write(style.wrap("members", f"{len(members)}: {', '.join(members)}", CALL_COLUMN + 8) + "\n")
        return
    set_name = next(n for n in errors.SET_NAMES if errors.set_class(n) is cls)
    calls = [c for c, n in errors.CALL_SETS.items() if n == set_name]
    said = " and ".join(f"{c}(2)" if c in errors.RECORDS and errors.RECORDS[c].kernel == c else c for c in calls)
    out.write(style.bold(errors.set_title(set_name)) + f": what {said} raise{'s' if len(calls) == 1 else ''}\n")
    out.write(style.wrap("members", ", ".join(errors.SETS[set_name])) + "\n")
    codes = " / ".join(f"sockffi errors {c}" for c in calls)
    out.write(style.wrap("codes", f"{codes}  (each member's OS codes on each platform)") + "\n")


def cmd_explain(args: argparse.Namespace, out: Any, err: Any) -> int:
    style = Style(out)
    what = args.what.strip()
    name = next((n for n in errors.ERROR_NAMES if n.lower() == what.lower()), None)
    if name:
        out.write("\n".join(describe_error(name, style, detail=True)) + "\n")
        out.write(style.wrap("exit", f"the sockffi command exits with status {EXIT_CODES[name]}") + "\n")
        return 0
    if what.lower() == "callererror":
        out.write(style.bold("CallerError") + ": outside every set\n")
        out.write(style.wrap("meaning", errors.plain(errors.CallerError.__doc__ or "")) + "\n")
        for call in errors.CALLS:
            bugs = errors.caller_bugs(call)
            text = "; ".join(f"{label} {', '.join(bugs[key])}" for key, label in errors.PLATFORMS if bugs[key])
            out.write(style.wrap(call, text or "none", CALL_COLUMN) + "\n")
        out.write(style.wrap("exit", f"the sockffi command exits with status {EXIT_CALLER_BUG}") + "\n")
        return 0
    set_title = next(
        (t for t in (*errors.UNIONS, "posix.ListenError", *errors.SET_NAMES) if t.lower() == what.lower()), None
    )
    if set_title:
        explain_set(set_title, style, out)
        return 0
    candidates = code_candidates(what)
    if not candidates:
        raise UsageError(
            f"{what!r} is neither an error name, a set name, nor an OS code of Linux, macOS or Windows "
            "(try EADDRINUSE, 98, WSAEADDRINUSE or AddressInUse)"
        )
    for code_name, places in candidates:
        explain_code(code_name, places, style, out)
    return 0


# ------------------------------------------------------------------- reproduce, demo


def cmd_reproduce(args: argparse.Namespace, out: Any, err: Any) -> int:
    from . import _reproduce

    if args.list:
        return _reproduce.list_recipes(out, Style(out))
    if not args.name:
        raise UsageError("give an error's name (sockffi reproduce AddressInUse), or --list")
    name = next((n for n in errors.ERROR_NAMES if n.lower() == args.name.lower()), None)
    if name is None:
        raise UsageError(
            f"{args.name!r} is not one of the {len(errors.ERROR_NAMES)} error names (sockffi errors lists them)"
        )
    via = args.via or ""
    if via and (name, via) not in _reproduce.VIA:
        ways = ", ".join(f"{n} --via {c}" for n, c in _reproduce.VIA)
        raise UsageError(f"no recipe for {name} --via {via} (the data path's: {ways})")
    return _reproduce.run(name, out, err, via)


def cmd_demo(args: argparse.Namespace, out: Any, err: Any) -> int:
    style = Style(out)
    out.write(style.bold('1. listen_tcp(("127.0.0.1", 0)): socket, setsockopt, bind, listen, getsockname') + "\n")

    keep = _render.Echo(out, style, "   ", flush=False)
    with trace.observe(keep):
        first = listen_tcp(("127.0.0.1", 0))
    with first:
        keep.check()
        out.write(f"   {style.bold('listening on ' + errors.describe_address(first.address))} (fd {first.fd})\n\n")
        out.write(style.bold("2. the same port again, while the first socket still listens:") + "\n")
        out.flush()
        status = run_listen(("tcp", first.address), out, out, indent="   ")
    out.write(
        "\n"
        + textwrap.fill(
            f"(`sockffi listen` would exit with status {status} there; `sockffi explain AddressInUse`, "
            "`sockffi errors bind` and `sockffi reproduce --list` say more)",
            style.width,
            break_on_hyphens=False,
        )
        + "\n"
    )
    return 0 if status == EXIT_CODES["AddressInUse"] else 1


# ------------------------------------------------------------------- arguments


class Parser(argparse.ArgumentParser):
    """argparse, with every misuse said in one line (exit 2)."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog.removeprefix('sockffi').strip() or 'usage'}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="sockffi",
        description="Watch socket calls happen, look sockffi's errors up, and make one happen for real.",
        epilog="Exit status: 0 ok, 1 a recipe that cannot run here, 2 usage, "
        f"{min(EXIT_CODES.values())}-{max(EXIT_CODES.values())} an error from the OS "
        "(`sockffi errors --json` gives each one's), 70 a caller bug, 74 output failed, "
        "130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"sockffi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    p = sub.add_parser("listen", help="listen on ADDRESS, printing every syscall as it happens")
    p.add_argument(
        "address",
        metavar="ADDRESS",
        help="127.0.0.1:8080, [::1]:0, a unix socket path (/run/app.sock, ./app.sock, unix:app.sock) or @name",
    )
    p.add_argument("--backlog", type=backlog_value, default=128, metavar="N", help="listen(2)'s backlog (default 128)")
    p.add_argument(
        "--reuse-address",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="set SO_REUSEADDR (the default, on POSIX)",
    )
    p.add_argument("--reuse-port", action="store_true", help="set SO_REUSEPORT")
    p.add_argument("--nonblocking", action="store_true", help="add SOCK_NONBLOCK")
    p.add_argument("--dualstack-ipv6", action="store_true", help="IPV6_V6ONLY=0: take IPv4 clients too")
    p.add_argument(
        "--hold",
        type=hold_seconds,
        default=0.0,
        metavar="SECONDS|forever",
        help="keep listening this long, or until Ctrl-C with 'forever'",
    )
    p.set_defaults(run=cmd_listen)
    p = sub.add_parser("connect", help="connect to ADDRESS (an IP address or a unix socket), printing every syscall")
    p.add_argument("address", metavar="ADDRESS", help="127.0.0.1:8080, [::1]:8080, a unix socket path, or @name")
    p.add_argument("--timeout", type=timeout_value, default=None, metavar="SECONDS", help="give up after this long")
    p.add_argument(
        "--send",
        metavar="TEXT",
        help="then send TEXT (UTF-8), shut down writing, and print every reply until the peer closes (Ctrl-C stops)",
    )
    p.set_defaults(run=cmd_connect)
    p = sub.add_parser("errors", help="the error-set tables: each member's OS codes on each platform")
    p.add_argument(
        "call", nargs="?", choices=list(errors.CALLS), metavar="CALL", help="only this call: " + ", ".join(errors.CALLS)
    )
    p.add_argument("--json", action="store_true", help="machine-readable")
    p.set_defaults(run=cmd_errors)
    p = sub.add_parser("explain", help="an error or set name, or an OS code (EADDRINUSE, 98, WSAEADDRINUSE, 10048)")
    p.add_argument("what", metavar="NAME|CODE")
    p.set_defaults(run=cmd_explain)
    p = sub.add_parser("reproduce", help="make an error happen for real on this machine, and show it")
    p.add_argument("name", nargs="?", metavar="NAME", help=f"one of the {len(errors.ERROR_NAMES)} error names")
    p.add_argument("--list", action="store_true", help="which errors this machine can reproduce, and why not the rest")
    p.add_argument("--via", metavar="CALL", help="the data path's way to it: recv, send or sendto (see --list)")
    p.set_defaults(run=cmd_reproduce)
    p = sub.add_parser("demo", help="a listening socket, then a second one on the same port failing")
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    out, err = sys.stdout, sys.stderr
    if err is None:  # stderr closed: there is nowhere to say anything
        err = open(os.devnull, "w")  # noqa: SIM115
    if out is None:  # started with stdout closed (>&-)
        err.write("sockffi: cannot write the output: standard output is closed\n")
        return EXIT_OUTPUT
    try:
        args = build_parser().parse_args(argv)
        status: int = args.run(args, out, err)
        out.flush()
    except UsageError as exc:
        err.write(f"sockffi: {exc}\n")
        status = EXIT_USAGE
    except KeyboardInterrupt:
        err.write("sockffi: interrupted\n")
        status = EXIT_INTERRUPTED
    except BrokenPipeError:
        status = 0  # the reader went away (| head): nothing more to say
        _render.silence(out)
    except OSError as exc:
        if exc.errno is None or getattr(exc, "syscall", None):
            raise
        _render.silence(out)  # stdout is full or gone: say so on stderr, once
        err.write(f"sockffi: cannot write the output: {exc.strerror}\n")
        status = EXIT_OUTPUT
    return status

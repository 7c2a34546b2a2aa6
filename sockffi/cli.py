"""``sockffi`` on the command line: watch listen_tcp syscall by syscall, look errors up.

    sockffi listen 127.0.0.1:8080 [--backlog N] [--reuse-address] [--reuse-port]
                                  [--nonblocking] [--hold SECONDS]
    sockffi errors [SYSCALL] [--json]
    sockffi explain NAME|ERRNO
    sockffi demo

Exit status: 0 on success, 2 for bad usage, 10 + the error's index in the
alphabetical list of the 26 names (AccessDenied 10 ... Unexpected 35) for an
error from the OS, 70 for a caller bug (CallerError).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import textwrap
import time
from collections.abc import Sequence
from typing import Any, Optional

from . import errors, trace
from ._seam import backend
from .net import Server, listen_tcp, listen_unix

WIDTH = 80
EXIT_USAGE = 2
EXIT_CALLER_BUG = 70
_PLATFORMS = (("linux", "Linux"), ("macos", "macOS"), ("windows", "Windows"))
EXIT_CODES: dict[str, int] = {name: 10 + i for i, name in enumerate(errors.ERROR_NAMES)}

# What usually causes each error, for the one-line hint after a failure.
HINTS: dict[str, str] = {
    "AccessDenied": "ports below 1024 need privileges (CAP_NET_BIND_SERVICE); for a "
    "unix path, check the directory's permissions",
    "AddressFamilyNotSupported": "the address is of another family than the socket "
    "(an IPv4 host on an AF_INET6 socket?), or the kernel lacks it",
    "AddressInUse": "another socket already holds this address: find it with "
    "`ss -ltnp` (or `lsof -i`), pick another port, or use port 0",
    "AddressNotAvailable": "the host is not an address of this machine (see `ip addr`); "
    "use 127.0.0.1, ::1, or 0.0.0.0 for every interface",
    "AlreadyBound": "bind() was already called on this socket",
    "AlreadyConnected": "the socket is connected; listen and this option need an unconnected socket",
    "FileDescriptorNotASocket": "the fd is a file or pipe, not a socket",
    "FileNotFound": "a directory in the unix socket path does not exist",
    "InvalidProtocolOption": "this socket's protocol has no such option (check level and name)",
    "NameTooLong": "unix socket paths must fit in sun_path (107 bytes on Linux, 103 on macOS): use a shorter path",
    "NetworkSubsystemFailed": "the network stack is down (Windows: WSAENETDOWN)",
    "NoDevice": "no network interface of that name",
    "NotDir": "a component of the unix socket path is a file, not a directory",
    "OperationNotSupported": "listen needs a stream socket (SOCK_STREAM), not a datagram one",
    "PermissionDenied": "this option needs privileges (CAP_NET_ADMIN)",
    "ProcessFdQuotaExceeded": "this process has as many fds open as `ulimit -n` allows: close some or raise the limit",
    "ProtocolFamilyNotAvailable": "the socket type or flags are invalid for this family",
    "ProtocolNotSupported": "the protocol does not match the socket type (TCP needs SOCK_STREAM, UDP SOCK_DGRAM)",
    "ReadOnlyFileSystem": "unix sockets cannot be created on a read-only file system",
    "SocketNotBound": "bind() the socket first (Windows does not bind implicitly)",
    "SocketTypeNotSupported": "the socket type does not fit the protocol",
    "SymLinkLoop": "the unix socket path goes round a loop of symbolic links",
    "SystemFdQuotaExceeded": "the whole system is out of file descriptors (fs.file-max)",
    "SystemResources": "the kernel is out of memory or buffers for this",
    "TimeoutTooBig": "SO_RCVTIMEO/SO_SNDTIMEO value out of range (microseconds must be < 1000000)",
    "Unexpected": "the OS returned a code this call's error set does not name; errno keeps it",
}


# ------------------------------------------------------------------- output helpers


class Style:
    def __init__(self, stream: Any) -> None:
        self.on = bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on else text

    def bold(self, text: str) -> str:
        return self(text, "1")

    def red(self, text: str) -> str:
        return self(text, "31")

    def dim(self, text: str) -> str:
        return self(text, "2")


def _wrap(label: str, text: str, indent: int = 12, width: int = WIDTH) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        width,
        initial_indent=f"  {label:<{indent - 2}}",
        subsequent_indent=" " * indent,
    )


def set_names(cls: type) -> list[str]:
    """The sets a class belongs to, as users spell them."""
    names = []
    for set_name, _syscall in [(v, k) for k, v in errors.SYSCALLS.items()]:
        if issubclass(cls, getattr(errors, set_name)):
            names.append("posix.ListenError" if set_name == "ListenSyscallError" else set_name)
    return names


def _errno_numbers(name: str) -> tuple[Optional[int], Optional[int]]:
    linux, mac = errors.ERRNO_NUMBERS.get(name, (None, None))
    return linux, mac


def codes(name: str, syscall: str) -> dict[str, list[str]]:
    """The OS codes that produce error `name` from `syscall`, per platform."""
    out: dict[str, list[str]] = {"linux": [], "macos": [], "windows": []}
    for key, entries in errors.POSIX.items():
        if key.split(".")[0] != syscall:
            continue
        via = f" via {key.split('.')[1]}" if "." in key else ""
        for code, member in entries.items():
            if member != name:
                continue
            linux, mac = _errno_numbers(code)
            if (
                not via
                and linux is not None
                and not (code == "ENOTSUP" and linux == errors.ERRNO_NUMBERS["EOPNOTSUPP"][0])
            ):
                out["linux"].append(f"{code} {linux}")
            if mac is not None:
                out["macos"].append(f"{code} {mac}{via}")
    for key, entries in errors.WINDOWS.items():
        if key.split(".")[0] != syscall:
            continue
        via = f" via {key.split('.')[1]}" if "." in key else ""
        for code, member in entries.items():
            if member == name:
                out["windows"].append(f"{code} {errors.WSA_CODES[code]}{via}")
    return out


def _syscalls_of(cls: type) -> list[str]:
    return [s for s, set_name in errors.SYSCALLS.items() if issubclass(cls, getattr(errors, set_name))]


def describe_error(name: str, style: Style, detail: bool = False) -> list[str]:
    cls = getattr(errors, name)
    sets = textwrap.wrap(f"({', '.join(set_names(cls))})", WIDTH - len(name) - 2)
    lines = [f"{style.bold(name)}  {sets[0]}"] + [" " * (len(name) + 2) + more for more in sets[1:]]
    if detail:
        lines.append(_wrap("meaning", cls.__doc__ or ""))
        lines.append(_wrap("hint", HINTS[name]))
    for syscall in _syscalls_of(cls):
        if name == "Unexpected":
            lines.append(f"  {syscall:<12}any code the set does not name (errno is kept)")
            continue
        found = codes(name, syscall)
        parts = [f"{label} {', '.join(found[key])}" for key, label in _PLATFORMS if found[key]]
        lines.append(_wrap(syscall, "; ".join(parts) if parts else "(never, on any platform)"))
    return lines


def error_record(name: str) -> dict[str, Any]:
    cls = getattr(errors, name)
    return {
        "name": name,
        "meaning": " ".join((cls.__doc__ or "").split()),
        "sets": set_names(cls),
        "exit_status": EXIT_CODES[name],
        "codes": {s: codes(name, s) for s in _syscalls_of(cls)},
    }


def caller_bugs(syscall: str) -> dict[str, list[str]]:
    """The codes Zig treats as unreachable for `syscall` (sockffi: CallerError), per platform."""
    return codes(errors.UNREACHABLE, syscall)


# ------------------------------------------------------------------------ commands


def cmd_errors(args: argparse.Namespace, out: Any) -> int:
    style = Style(out)
    syscalls = [args.syscall] if args.syscall else list(errors.SYSCALLS)
    if args.json:
        data = {
            "sets": {
                ("posix.ListenError" if errors.SYSCALLS[s] == "ListenSyscallError" else errors.SYSCALLS[s]): {
                    "syscall": s,
                    "members": list(errors.SETS[errors.SYSCALLS[s]]),
                    "caller_bugs": caller_bugs(s),
                }
                for s in syscalls
            },
            "errors": [
                error_record(n)
                for n in errors.ERROR_NAMES
                if any(issubclass(getattr(errors, n), getattr(errors, errors.SYSCALLS[s])) for s in syscalls)
            ],
        }
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    for syscall in syscalls:
        set_name = errors.SYSCALLS[syscall]
        title = "posix.ListenError" if set_name == "ListenSyscallError" else set_name
        out.write(style.bold(f"{syscall}(2) raises {title}") + "\n")
        for name in errors.SETS[set_name]:
            found = codes(name, syscall)
            parts = [f"{label} {', '.join(found[key])}" for key, label in _PLATFORMS if found[key]]
            text = "; ".join(parts) if parts else ("any other code" if name == "Unexpected" else "never")
            out.write(_wrap(name, text, 28) + "\n")
        bugs = caller_bugs(syscall)
        text = "; ".join(f"{label} {', '.join(bugs[key])}" for key, label in _PLATFORMS if bugs[key])
        if text:
            out.write(_wrap("(CallerError)", text, 28) + "\n")
        out.write("\n")
    return 0


def _parse_code(text: str) -> list[tuple[str, str, int]]:
    """(platform, name, number) candidates for an OS code given by name or number."""
    t = text.strip().upper()
    if t.isdigit():
        n = int(t)
        if n >= 10000:
            names = [k for k, v in errors.WSA_CODES.items() if v == n]
            return [("windows", names[0] if names else str(n), n)]
        here = "macos" if sys.platform == "darwin" else "linux"
        index = 1 if here == "macos" else 0
        names = [k for k, v in errors.ERRNO_NUMBERS.items() if v[index] == n]
        return [(here, name, n) for name in names] or [(here, str(n), n)]
    if t in errors.WSA_CODES:
        return [("windows", t, errors.WSA_CODES[t])]
    if t in errors.ERRNO_NUMBERS:
        return [("posix", t, errors.ERRNO_NUMBERS[t][0])]
    return []


def cmd_explain(args: argparse.Namespace, out: Any) -> int:
    style = Style(out)
    name = next((n for n in errors.ERROR_NAMES if n.lower() == args.what.lower()), None)
    if name:
        out.write("\n".join(describe_error(name, style, detail=True)) + "\n")
        out.write(_wrap("exit", f"sockffi listen exits with status {EXIT_CODES[name]}") + "\n")
        return 0
    candidates = _parse_code(args.what)
    if not candidates:
        sys.stderr.write(f"sockffi: {args.what!r} is neither an error name nor a known OS code\n")
        return EXIT_USAGE
    for platform, code_name, number in candidates:
        table = errors.WINDOWS if platform == "windows" else errors.POSIX
        label = {"windows": "Windows", "linux": "Linux", "macos": "macOS", "posix": "POSIX"}[platform]
        out.write(style.bold(f"{code_name} ({label} {number})") + " from each call:\n")
        for syscall in [*list(errors.SYSCALLS), "close"]:
            member = table.get(syscall, {}).get(code_name)
            if member == errors.UNREACHABLE:
                text = "CallerError (Zig: unreachable; a bug in the calling code)"
            elif member:
                text = f"{member}  ({', '.join(set_names(getattr(errors, member)))})"
            elif syscall == "close":
                text = "ignored, as Zig's posix.close does"
            else:
                text = "Unexpected (not in this call's set; errno is kept)"
            out.write(_wrap(syscall, text, 14) + "\n")
    return 0


def parse_address(text: str) -> Any:
    """'127.0.0.1:8080', '[::1]:0', '[fe80::1%eth0]:0', '@abstract', or a unix path."""
    if text.startswith("@"):
        return "\0" + text[1:]
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if sep and port.isdigit():
            return (host, int(port))
    elif "/" not in text and text.count(":") == 1:
        host, _, port = text.partition(":")
        if port.isdigit():
            return (host, int(port))
    if "/" in text or "." not in text:
        return text
    raise ValueError(f"cannot read {text!r} as HOST:PORT, [HOST]:PORT, @NAME or a path")


def _format_address(address: Any) -> str:
    if isinstance(address, tuple):
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if isinstance(address, bytes) and address[:1] == b"\0":
        return "@" + address[1:].decode(errors="backslashreplace")
    return str(address)


def trace_line(event: trace.Event, style: Style, indent: str = "") -> str:
    """One syscall, strace-like, with its cost; the result moves to a second line
    when the whole would not fit in 80 columns."""
    cost = style.dim(f"{event.seconds * 1e6:7.1f} µs")
    pad = indent + " " * 12
    line = event.format()
    call, sep, result = line.rpartition(" = ")
    text = f"{call}\n{pad}= {result}" if len(indent) + 12 + len(line) > WIDTH and sep else line
    if event.failed:
        text = "\n".join(style.red(part) for part in text.split("\n"))
    return f"{indent}{cost}  {text}"


def explain_failure(exc: BaseException, style: Style, width: int = WIDTH) -> list[str]:
    """The block a newcomer reads after a failure."""
    wrap = functools.partial(_wrap, width=width)
    name = type(exc).__name__
    code = getattr(exc, "errno", None) or 0
    syscall = getattr(exc, "syscall", "?")
    lines = [style.red(style.bold(f"listen_tcp failed in {syscall}(2): {name}"))]
    if isinstance(exc, errors.CallerError):
        lines.append(wrap("meaning", errors.CallerError.__doc__ or ""))
    else:
        lines.append(wrap("error", name))
        lines.append(wrap("sets", ", ".join(set_names(type(exc))) + "; so also sockffi.ListenError"))
    lines.append(wrap("OS code", f"{backend.code_name(code)} ({code}): {getattr(exc, 'strerror', '')}"))
    if not isinstance(exc, errors.CallerError):
        lines.append(wrap("meaning", type(exc).__doc__ or ""))
        lines.append(wrap("hint", HINTS.get(name, "")))
    return lines


def run_listen(
    address: Any,
    out: Any,
    *,
    backlog: int = 128,
    reuse_address: bool = False,
    reuse_port: bool = False,
    nonblocking: bool = False,
    hold: Optional[float] = None,
    indent: str = "",
) -> int:
    style = Style(out)

    def show(event: trace.Event) -> None:
        out.write(trace_line(event, style, indent) + "\n")
        out.flush()

    try:
        with trace.observe(show):
            server: Server[Any]
            if isinstance(address, tuple):
                server = listen_tcp(
                    address,
                    backlog=backlog,
                    reuse_address=reuse_address,
                    reuse_port=reuse_port,
                    nonblocking=nonblocking,
                )
            else:
                server = listen_unix(address, backlog=backlog, nonblocking=nonblocking)
    except errors.SockffiError as exc:
        block = "\n".join(explain_failure(exc, style, WIDTH - len(indent))).split("\n")
        out.write("\n" + "\n".join(indent + line for line in block) + "\n")
        return EXIT_CALLER_BUG if isinstance(exc, errors.CallerError) else EXIT_CODES[type(exc).__name__]
    out.write(f"{indent}{style.bold('listening on ' + _format_address(server.address))} (fd {server.fd})\n")
    out.flush()
    try:
        if hold:
            out.write(f"{indent}holding it for {hold:g} s; Ctrl-C releases it\n")
            out.flush()
            time.sleep(hold)
    except KeyboardInterrupt:
        out.write(f"{indent}interrupted\n")
    finally:
        with trace.observe(show):
            server.close()
    return 0


def cmd_listen(args: argparse.Namespace, out: Any) -> int:
    try:
        address = parse_address(args.address)
    except ValueError as exc:
        sys.stderr.write(f"sockffi: {exc}\n")
        return EXIT_USAGE
    try:
        return run_listen(
            address,
            out,
            backlog=args.backlog,
            reuse_address=args.reuse_address,
            reuse_port=args.reuse_port,
            nonblocking=args.nonblocking,
            hold=args.hold,
        )
    except (ValueError, TypeError, OverflowError) as exc:
        sys.stderr.write(f"sockffi: {exc}\n")
        return EXIT_USAGE


def cmd_demo(args: argparse.Namespace, out: Any) -> int:
    style = Style(out)
    out.write(style.bold('1. listen_tcp(("127.0.0.1", 0)): socket, bind, listen, getsockname') + "\n")
    first = None

    def keep(event: trace.Event) -> None:
        out.write(trace_line(event, style, "   ") + "\n")

    with trace.observe(keep):
        first = listen_tcp(("127.0.0.1", 0))
    out.write(f"   {style.bold('listening on ' + _format_address(first.address))} (fd {first.fd})\n\n")
    try:
        out.write(style.bold("2. the same port again, while the first socket still listens:") + "\n")
        status = run_listen(first.address, out, indent="   ")
    finally:
        first.close()
    out.write(
        "\n"
        + textwrap.fill(
            f"(the second attempt exits with status {status}; `sockffi explain AddressInUse` "
            "and `sockffi errors bind` say more)",
            WIDTH,
        )
        + "\n"
    )
    return 0 if status == EXIT_CODES["AddressInUse"] else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sockffi",
        description="Watch listen_tcp syscall by syscall, and look up sockffi's errors.",
        epilog="Exit status: 0 ok, 2 usage, 10-35 an error from the OS (10 + its index in "
        "`sockffi errors --json`'s alphabetical list), 70 a caller bug.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("listen", help="listen on ADDRESS, printing every syscall")
    p.add_argument("address", metavar="ADDRESS", help="127.0.0.1:8080, [::1]:0, @abstract or /unix/path")
    p.add_argument("--backlog", type=int, default=128)
    p.add_argument("--reuse-address", action="store_true", help="set SO_REUSEADDR")
    p.add_argument("--reuse-port", action="store_true", help="set SO_REUSEPORT")
    p.add_argument("--nonblocking", action="store_true", help="add SOCK_NONBLOCK")
    p.add_argument("--hold", type=float, metavar="SECONDS", help="keep listening this long")
    p.set_defaults(run=cmd_listen)
    p = sub.add_parser("errors", help="the error-set table")
    p.add_argument("syscall", nargs="?", choices=list(errors.SYSCALLS))
    p.add_argument("--json", action="store_true", help="machine-readable")
    p.set_defaults(run=cmd_errors)
    p = sub.add_parser("explain", help="one error name, or one OS code (EADDRINUSE, 98, WSAEADDRINUSE, 10048)")
    p.add_argument("what", metavar="NAME|ERRNO")
    p.set_defaults(run=cmd_explain)
    p = sub.add_parser("demo", help="a listening socket, then a second one on the same port failing")
    p.set_defaults(run=cmd_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args, sys.stdout)
    except BrokenPipeError:
        status = 0
    sys.stdout.flush()
    return status

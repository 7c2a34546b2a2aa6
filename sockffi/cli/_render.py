"""How sockffi's command line shows things: the calls as they happen, a
failure explained, the width and colours of the terminal. Shared by the CLI
and by ``sockffi reproduce``'s child process.
"""

from __future__ import annotations

import errno as _errno
import os
import re
import shutil
import textwrap
from typing import Any, Optional

from .. import _catalogue, errors, trace
from .._seam import backend

EXIT_USAGE = 2
EXIT_CALLER_BUG = 70
EXIT_OUTPUT = 74
EXIT_INTERRUPTED = 130
EXIT_CODES = errors.EXIT_CODES

#: What usually causes each error, for the one-line hint after a failure (the catalogue's).
HINTS: dict[str, str] = {name: spec.hint for name, spec in _catalogue.NAMES.items()}
#: The same error, another cause, for a unix socket path.
UNIX_HINTS: dict[str, str] = {
    "AddressInUse": "a file already exists at this path: if no server listens there any more "
    "(`ss -lxp` shows those that do), remove it; sockffi never removes a file at bind time",
    "AccessDenied": "the directory does not let this user create the socket file: check its permissions",
}


# ------------------------------------------------------------------- output


def width(stream: Any) -> int:
    """The terminal's width on a terminal; else $COLUMNS, else 80."""
    columns = 0
    if getattr(stream, "isatty", lambda: False)():
        columns = shutil.get_terminal_size((80, 24)).columns
    elif os.environ.get("COLUMNS", "").isdigit():
        columns = int(os.environ["COLUMNS"])
    return max(40, min(columns or 80, 200))


class Style:
    def __init__(self, stream: Any, indent: int = 0) -> None:
        self.on = bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ
        self.width = width(stream) - indent

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on else text

    def bold(self, text: str) -> str:
        return self(text, "1")

    def red(self, text: str) -> str:
        return self(text, "31")

    def dim(self, text: str) -> str:
        return self(text, "2")

    def wrap(self, label: str, text: str, indent: int = 12) -> str:
        """`text` after a label column, wrapped to the width; a `command in
        backquotes` is never broken across lines."""
        nbsp = "\u00a0"
        guarded = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", nbsp), " ".join(text.split()))
        indent = max(indent, len(label) + 4)
        filled = textwrap.fill(
            guarded,
            max(self.width, indent + 20),
            initial_indent=f"  {label:<{indent - 2}}",
            subsequent_indent=" " * indent,
            break_on_hyphens=False,
        )
        return filled.replace(nbsp, " ")


def trace_line(event: trace.Event, style: Style, indent: str = "") -> str:
    """One syscall, strace-like, with its cost; the result moves to a second line
    when the whole would not fit."""
    cost = style.dim(f"{event.seconds * 1e6:7.1f} µs")
    pad = indent + " " * 12
    line = event.format()
    call, sep, result = line.rpartition(" = ")
    text = f"{call}\n{pad}= {result}" if len(indent) + 12 + len(line) > style.width and sep else line
    if event.failed:
        text = "\n".join(style.red(part) for part in text.split("\n"))
    return f"{indent}{cost}  {text}"


# POSIX codes (Windows answers these binds with WSA codes, which have no hint yet).
_EINVAL = _errno.EINVAL
_ENODEV = _errno.ENODEV
_ENOENT = _errno.ENOENT


def explain_failure(exc: BaseException, style: Style, unix: bool = False) -> list[str]:
    """The block a newcomer reads after a failure."""
    name = type(exc).__name__
    code = getattr(exc, "errno", None) or 0
    syscall = getattr(exc, "syscall", "?")
    op = getattr(exc, "op", None)
    if getattr(exc, "detail", None) and not isinstance(exc, errors.CallerError):  # refused before the call
        title = f"{op or syscall} refused the address before {syscall}(2): {name}"
    else:
        title = f"{op} failed in {syscall}(2): {name}" if op else f"{syscall}(2) failed: {name}"
    lines = [style.red(style.bold(title))]
    where = getattr(exc, "address", None)
    if where is not None:
        lines.append(style.wrap("address", errors.describe_address(where)))
    if isinstance(exc, errors.CallerError):
        lines.append(style.wrap("meaning", errors.plain(errors.CallerError.__doc__ or "")))
    else:
        lines.append(style.wrap("error", name))
        unions = [f"sockffi.{u}" for u in errors.UNIONS if issubclass(type(exc), getattr(errors, u))]
        tail = f"; so also {', '.join(unions)}" if unions else ""
        lines.append(style.wrap("sets", ", ".join(errors.sets_of(type(exc))) + tail))
    lines.append(style.wrap("OS code", f"{backend.code_name(code)} ({code}): {getattr(exc, 'strerror', '')}"))
    if not isinstance(exc, errors.CallerError):
        lines.append(style.wrap("meaning", errors.plain(type(exc).__doc__ or "")))
        hint = (
            _specific_hint(exc, syscall, code, where) or (UNIX_HINTS.get(name) if unix else None) or HINTS.get(name, "")
        )
        lines.append(style.wrap("hint", hint))
    return lines


def _specific_hint(exc: BaseException, syscall: str, code: int, where: Any) -> str:
    """A hint for this failure in particular, where its address says more than
    its class does."""
    if syscall == "bind" and isinstance(where, tuple) and len(where) >= 2 and isinstance(where[0], str):
        host = where[0].partition("%")[0].lower()
        scope = where[3] if len(where) >= 4 else 0
        scoped = "%" in where[0] or scope
        if host.startswith(("fe8", "fe9", "fea", "feb")) and not scoped and code == _EINVAL:
            return (
                "a link-local address (fe80::/10) is on one interface, and the bind must say which: "
                f"[{host}%eth0]:{where[1]} (an interface name or index; `ip -6 addr` lists them)"
            )
        if scoped and code == _ENODEV:
            return "no interface has that index: `ip -6 addr` lists them (or name it: %eth0)"
    if syscall == "connect" and code == _ENOENT and isinstance(where, (str, bytes, os.PathLike)):
        directory = os.path.dirname(os.fsdecode(where)) or "."
        if os.path.isdir(directory):
            return "no socket file at this path (its directory is there): is the server running, and on this path?"
        return f"the directory {directory!r} does not exist"
    return ""


def exit_status(exc: BaseException) -> int:
    return EXIT_CALLER_BUG if isinstance(exc, errors.CallerError) else EXIT_CODES.get(type(exc).__name__, 1)


class Echo:
    """A trace observer that writes each event to `out` as a trace line. A write
    that fails (a closed pipe, a full disk) stops the echo, silences `out` and
    is kept, for check() to raise where the command can handle it: an
    observer's own exception would only become a warning."""

    def __init__(self, out: Any, style: Any, indent: str = "", flush: bool = True) -> None:
        self.out, self.style, self.indent, self.flush = out, style, indent, flush
        self.failed: Optional[OSError] = None

    def __call__(self, event: Any) -> None:
        if self.failed is not None:
            return
        try:
            self.out.write(trace_line(event, self.style, self.indent) + "\n")
            if self.flush:
                self.out.flush()
        except OSError as exc:
            self.failed = exc
            silence(self.out)

    def check(self) -> None:
        if self.failed is not None:
            raise self.failed


def silence(stream: Any) -> None:
    """Point stream at /dev/null, so the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass

"""Writes the error reference from sockffi's own tables at every build.

docs/_generated/ is rebuilt from sockffi.errors (the tables and their
queries) and from sockffi reproduce's recipes when Sphinx starts, so the pages
cannot drift from the code; tests/test_docs.py also compares the rendered HTML
with the tables directly.
"""

from __future__ import annotations

from pathlib import Path

from sockffi import errors
from sockffi.cli import _reproduce

PLATFORMS = errors.PLATFORMS


def set_title(set_name: str) -> str:
    return f"sockffi.{errors.set_title(set_name)}"


def man_links(syscall: str) -> str:
    page, ms, ms_name = errors.RECORDS[syscall].man
    return (
        f"`Linux {page}(2) <https://man7.org/linux/man-pages/man2/{page}.2.html>`__ · "
        f"`macOS {page}(2) <https://developer.apple.com/library/archive/documentation/System/"
        f"Conceptual/ManPages_iPhoneOS/man2/{page}.2.html>`__ · "
        f"`Windows {ms_name} <https://learn.microsoft.com/en-us/windows/win32/api/winsock2/{ms}>`__"
    )


def cell(values: list[str]) -> str:
    return ", ".join(values) if values else "—"


def codes_table(rows: list[tuple[str, dict[str, list[str]]]], first: str, cls_name: str) -> list[str]:
    out = [
        ".. list-table::",
        "   :header-rows: 1",
        f"   :class: {cls_name}",
        "",
        f"   * - {first}",
        "     - Linux",
        "     - macOS",
        "     - Windows",
    ]
    for label, found in rows:
        out.append(f"   * - {label}")
        for key, _ in PLATFORMS:
            out.append(f"     - {cell(found[key])}")
    return [*out, ""]


def error_entries() -> list[str]:
    out = [".. This file is generated from sockffi.errors at every docs build; do not edit.", ""]
    for name in errors.ERROR_NAMES:
        cls = getattr(errors, name)
        out += [f".. _error-{name}:", "", name, "-" * len(name), ""]
        out += [f".. autoexception:: sockffi.{name}", "   :no-members:", ""]
        member_of = [s for s in errors.SYSCALLS.values() if issubclass(cls, getattr(errors, s))]
        sets = ", ".join(f":class:`{set_title(s)}`" for s in member_of)
        plain = (OSError, Exception, BaseException, object)
        builtins = [b.__name__ for b in cls.__mro__ if b.__module__ == "builtins" and b not in plain]
        out += [
            f":Sets: {sets}",
            f":Also a: {', '.join(builtins) if builtins else 'OSError only'}",
            f":CLI exit status: {errors.EXIT_CODES[name]}",
            "",
        ]
        if name == "Unexpected":
            out += ["Raised for any code a call's set does not name; ``errno`` keeps it.", ""]
            continue
        rows = [(c, errors.codes(name, c)) for c in errors.syscalls_of(cls)]
        out += codes_table(rows, "call", f"codes-{name}")
    return out


def set_tables() -> list[str]:
    out = [".. This file is generated from sockffi.errors at every docs build; do not edit.", ""]
    for syscall, set_name in errors.SYSCALLS.items():
        title = f"{syscall}(2): {set_title(set_name)}"
        out += [f".. _set-{syscall}:", "", title, "~" * len(title), "", man_links(syscall), ""]
        rows = []
        for member in errors.SETS[set_name]:
            found = errors.codes(member, syscall)
            if member == "Unexpected":
                found = {"linux": ["any other"], "macos": ["any other"], "windows": ["any other"]}
            rows.append((f":ref:`{member} <error-{member}>`", found))
        rows.append((":class:`~sockffi.CallerError` (unreachable in Zig)", errors.caller_bugs(syscall)))
        out += codes_table(rows, "member", f"set-{syscall}")
    return out


def raises_blocks(directory: Path) -> None:
    for syscall, set_name in errors.SYSCALLS.items():
        members = ", ".join(f":ref:`{m} <error-{m}>`" for m in errors.SETS[set_name])
        text = [
            f"**Raises** :class:`{set_title(set_name)}`: {members}; and "
            ":class:`~sockffi.CallerError` for the codes Zig treats as unreachable "
            f"(:ref:`table <set-{syscall}>`).",
            "",
            f"**Man pages:** {man_links(syscall)}",
            "",
        ]
        (directory / f"raises-{syscall}.rst").write_text("\n".join(text))
    (directory / "raises-close.rst").write_text(
        "**Raises** :class:`~sockffi.CallerError` for a bad fd (EBADF; WSAENOTSOCK); every other "
        "close(2) code is ignored, as in Zig.\n\n" + f"**Man pages:** {man_links('close')}\n"
    )


def syscall_entries() -> list[str]:
    """Each syscall's function and what it raises, in the records' order: a
    new record is documented with no page to edit."""
    out = [".. This file is generated from the syscall records at every docs build; do not edit.", ""]
    from sockffi import _calls

    for name in errors.RECORDS:
        out += [f".. autofunction:: sockffi.{name}", ""]
        out += [
            line for variant in _calls.VARIANTS.get(name, ()) for line in (f".. autofunction:: sockffi.{variant}", "")
        ]
        out += [f".. include:: _generated/raises-{name}.rst", ""]
    return out


def set_classes() -> list[str]:
    """The unions and sets as classes, in the catalogue's order (listen(2)'s own
    set as the exception it is): a new set is documented with no page to edit."""
    out = [".. This file is generated from sockffi._catalogue at every docs build; do not edit.", ""]
    entry = [".. autoexception:: sockffi.{}", "   :no-members:", ""]
    out += [line.format(name) for name in ("SockffiError", "ListenError") for line in entry]
    for name in errors.SETS:
        if name == "ListenSyscallError":
            out += posix_listen_entry()
        else:
            out += [line.format(name) for line in entry]
    out += [line.format(name) for name in (*errors.UNIONS, "CallerError") if name != "ListenError" for line in entry]
    return out


def posix_listen_entry() -> list[str]:
    """sockffi.posix.ListenError is an alias (of errors.ListenSyscallError), which
    autodoc would render as data; this writes it as the exception it is."""
    members = ", ".join(f":class:`~sockffi.{m}`" for m in errors.SETS["ListenSyscallError"])
    return [
        ".. exception:: sockffi.posix.ListenError",
        "",
        f"   ``std.posix.ListenError``: what listen(2) can raise. Its members: {members}.",
        "   ``sockffi.ListenError`` is the union that :func:`sockffi.listen_tcp` raises.",
        "",
    ]


def departures() -> list[str]:
    out = [
        ".. This file is generated from sockffi.errors.DEPARTURES at every docs build; do not edit.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 10 15 15 60",
        "   :class: departures",
        "",
        "   * - platform",
        "     - call",
        "     - code",
        "     - what sockffi does, and why",
    ]
    for (platform, call, code), why in errors.DEPARTURES.items():
        # Literals: a bare "*" would open a bullet list in the cell.
        out += [f"   * - {platform}", f"     - ``{call}``", f"     - ``{code}``", f"     - {why}"]
    return [*out, ""]


def reproduce_table() -> list[str]:
    """What ``sockffi reproduce NAME`` does for each error, from its recipes."""
    out = [
        ".. This file is generated from sockffi reproduce's recipes at every docs build; do not edit.",
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 22 18 60",
        "   :class: reproduce",
        "",
        "   * - error",
        "     - where",
        "     - what ``sockffi reproduce`` does (or what it would take)",
    ]
    for name, recipe in _reproduce.RECIPES.items():
        where = ", ".join(recipe.platforms) or "—"
        if recipe.needs_root:
            where += " (root)"
        text = recipe.what if recipe.platforms else recipe.otherwise
        if recipe.platforms and recipe.otherwise:
            text += f". Elsewhere: {recipe.otherwise}"
        out += [f"   * - :ref:`{name} <error-{name}>`", f"     - {where}", f"     - {text}"]
    for (name, via), recipe in _reproduce.VIA.items():  # the data path's ways: NAME --via CALL
        where = ", ".join(recipe.platforms) + (" (root)" if recipe.needs_root else "")
        out += [f"   * - :ref:`{name} <error-{name}>` ``--via {via}``", f"     - {where}", f"     - {recipe.what}"]
    return [*out, ""]


def demo_capture() -> str:
    """A real `sockffi demo` run (loopback only), for the teaching page."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "sockffi", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"NO_COLOR": "1", "PATH": ""},
        stdin=subprocess.DEVNULL,
    )
    return out.stdout


def listed(names: list[str]) -> str:
    return ", ".join(f"``{n}``" for n in names[:-1]) + f" and ``{names[-1]}``"


def marker_calls() -> str:
    """What the sockffi_fail marker can fail: the syscalls its supervisor sees."""
    from sockffi import _seccomp

    names = list(_seccomp.NOTIFIED)
    return (
        f".. |marker-calls| replace:: {listed(names)}\n"
        f".. |marker-count| replace:: {len(names)}\n"
        f".. |marker-quoted| replace:: {', '.join(f'``{chr(34)}{n}{chr(34)}``' for n in names)}\n"
    )


def exit_statuses() -> list[str]:
    out = [".. list-table::", "   :header-rows: 1", "", "   * - status", "     - error"]
    for name, status in sorted(errors.EXIT_CODES.items(), key=lambda item: item[1]):
        out += [f"   * - {status}", f"     - :class:`~sockffi.{name}`"]
    return [*out, ""]


def calls_sentence() -> str:
    """Every syscall sockffi binds, in the records' order, as one sentence."""
    names = list(dict.fromkeys(r.kernel for r in errors.RECORDS.values()))
    return listed(names) + ".\n"


def generate(app: object) -> None:
    directory = Path(__file__).resolve().parent.parent / "_generated"
    directory.mkdir(exist_ok=True)
    (directory / "calls.rst").write_text(calls_sentence())
    (directory / "marker-calls.rst").write_text(marker_calls())
    (directory / "exits.rst").write_text("\n".join(exit_statuses()))
    (directory / "demo.txt").write_text(demo_capture())
    (directory / "errors.rst").write_text("\n".join(error_entries()))
    (directory / "sets.rst").write_text("\n".join(set_tables()))
    (directory / "departures.rst").write_text("\n".join(departures()))
    (directory / "reproduce.rst").write_text("\n".join(reproduce_table()))
    (directory / "set-classes.rst").write_text("\n".join(set_classes()))
    raises_blocks(directory)
    (directory / "syscalls.rst").write_text("\n".join(syscall_entries()))


def no_impossible_signature(
    app: object, what: str, name: str, obj: object, options: object, signature: object, annotation: object
) -> object:
    """A class nobody calls (a Protocol, Server) shows no (*args, **kwargs)."""
    if what == "class" and signature == "(*args, **kwargs)":
        return ("", annotation)
    return None


def setup(app: object) -> dict[str, object]:
    app.connect("builder-inited", generate)  # type: ignore[attr-defined]
    app.connect("autodoc-process-signature", no_impossible_signature)  # type: ignore[attr-defined]
    app.add_css_file("sockffi.css")  # type: ignore[attr-defined]
    return {"parallel_read_safe": True, "version": "1"}

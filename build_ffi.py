"""cffi builder for sockffi._sockffi (out-of-line API mode, compiled at install),
and the generator of the typing stubs that follow from the same sources.

The C lives in csrc/, one file per topic, included in order by sockffi.c;
sockffi.h holds what they share. Every function Python calls is defined
there with the SF_API marker, and its cdef prototype is read from that
definition, so a signature is written once. csrc/layouts.cdef holds the
result layouts Python reads, and sockffi/_catalogue.py names the platform
constants sockffi exports (their values come from the headers: cffi's
``#define X ...``). _sockffi_py.c is the one hook that needs Python.

    python build_ffi.py            compile the module in place
    python build_ffi.py --stubs    write the typing stubs (tests/test_static.py
                                   fails while a committed one differs)
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from types import ModuleType

from cffi import FFI

ROOT = Path(__file__).resolve().parent
CSRC = ROOT / "csrc"
PACKAGE = ROOT / "sockffi"

WINDOWS = sys.platform == "win32" or bool(os.environ.get("SOCKFFI_TARGET_WINDOWS"))


def catalogue() -> ModuleType:
    """sockffi/_catalogue.py, which imports nothing, read without importing
    sockffi (which needs the module this builds)."""
    module = ModuleType("sockffi_catalogue")
    code = (PACKAGE / "_catalogue.py").read_text()
    exec(compile(code, str(PACKAGE / "_catalogue.py"), "exec"), module.__dict__)
    return module


def c_files() -> list[Path]:
    """The topic files, in the order sockffi.c includes them."""
    order = re.findall(r'^#include "(\w+\.c)"', (CSRC / "sockffi.c").read_text(), re.M)
    return [CSRC / name for name in order]


#: An exported definition: SF_API, the return type and name, the parameters.
_DEFINITION = re.compile(r"^SF_API ((?:const )?[\w ]+?[ *]+)(sf_\w+)\(([^)]*)\)\s*\{", re.M)
#: An exported global: SF_API type name[size];
_GLOBAL = re.compile(r"^SF_API ([\w ]+?) (sf_\w+)\[\w+\];", re.M)


def exported() -> list[tuple[str, str, list[str]]]:
    """(return type, name, parameters) of every SF_API function, in file order."""
    found = []
    for path in c_files():
        for ret, name, params in _DEFINITION.findall(path.read_text()):
            args = [" ".join(p.split()) for p in params.split(",")] if params.strip() != "void" else []
            found.append((" ".join(ret.split()), name, args))
    return found


def exported_globals() -> list[tuple[str, str]]:
    return [(t, n) for path in c_files() for t, n in _GLOBAL.findall(path.read_text())]


def _optional(cat: ModuleType) -> list[str]:
    return [name for names in cat.OPTIONAL.values() for name in names]


def cdef() -> str:
    cat = catalogue()
    lines = [(CSRC / "layouts.cdef").read_text(), "/* sockffi/_catalogue.py's constants */"]
    lines += [f"#define {name} ..." for names in cat.CONSTANTS.values() for name in names]
    lines += [f"#define SF_HAS_{name} ...\n#define SF_{name} ..." for name in _optional(cat)]
    lines.append("/* csrc/*.c's SF_API definitions */")
    lines += [f"{ret} {name}({', '.join(args) or 'void'});" for ret, name, args in exported()]
    lines += [f"extern {ctype} {name}[...];" for ctype, name in exported_globals()]
    return "\n".join(lines) + "\n"


def source() -> str:
    """The C the compiler sees: the shared header, the platform's answer for
    each optional constant, then the topic files."""
    optional = "".join(
        f"#ifdef {name}\n#  define SF_HAS_{name} 1\n#  define SF_{name} {name}\n"
        f"#else\n#  define SF_HAS_{name} 0\n#  define SF_{name} 0\n#endif\n"
        for name in _optional(catalogue())
    )
    return f'#include "sockffi.h"\n{optional}#include "sockffi.c"\n'


def build(windows: bool = WINDOWS) -> FFI:
    ffi = FFI()
    ffi.cdef(cdef())
    libraries = ["ws2_32", "iphlpapi"] if windows else []
    # _sockffi_py.c (the ResourceWarning of a dropped socket, the only C that
    # needs Python.h) goes first, so the C finds its hook defined.
    hook = (CSRC / "_sockffi_py.c").read_text()
    ffi.set_source("sockffi._sockffi", hook + source(), libraries=libraries, include_dirs=[str(CSRC)])
    return ffi


# ----------------------------------------------------------------- the typing stubs

#: A C parameter's Python type: what cffi takes for it.
_PY_TYPES = {
    "int": "int",
    "long long": "int",
    "unsigned int": "int",
    "size_t": "int",
    "const char *": "bytes | Any",
    "char *": "Any",
    "long long *": "Any",
    "unsigned int *": "Any",
    "char * *": "Any",
    "size_t *": "Any",
    "long long * *": "Any",
}


def _param(text: str) -> tuple[str, str]:
    ctype, name = re.match(r"(.*?)\s*(\w+)$", text).groups()  # type: ignore[union-attr]
    return name, _PY_TYPES[" ".join(ctype.replace("*", " *").split()).replace(" *", " *")]


def stub() -> str:
    """sockffi/_sockffi.pyi: every constant and function the module has, and
    the seam's call namespace (the functions without their sf_ prefix; the
    one-crossing composed ones may be set aside, as None, while traced)."""
    cat = catalogue()
    defines = re.findall(r"^#define (\w+) \.\.\.", cdef(), re.M)
    out = [
        "# Generated by `python build_ffi.py --stubs` from csrc/ and sockffi/_catalogue.py;",
        "# do not edit (tests/test_static.py checks it is current).",
        "from typing import Any, Callable, Optional, Protocol",
        "",
        "ffi: Any",
        "",
        "class _Lib:",
    ]
    out += [f"    {name}: int" for name in defines]
    calls = []
    for ret, name, args in exported():
        params = [_param(a) for a in args]
        result = "None" if ret == "void" else "int"
        shown = ", ".join(f"{n}: {t}" for n, t in params)
        out.append(f"    def {name}(self{', ' if params else ''}{shown}, /) -> {result}: ...")
        kinds = ", ".join(t for _, t in params)
        call = f"Callable[[{kinds}], {result}]"
        one_crossing = name[3:] in ONE_CROSSING
        calls.append(f"    {name[3:]}: {'Optional[' + call + ']' if one_crossing else call}")
    out += [f"    {name}: Any" for _, name in exported_globals()]
    out += [
        "",
        "lib: _Lib",
        "",
        "class Calls(Protocol):",
        '    """The seam\'s call namespace (sockffi._seam.C)."""',
        "",
    ]
    out += calls
    del cat
    return "\n".join(out) + "\n"


#: The composed calls made in one crossing, which a layer that must see each
#: step sets aside (sockffi._seam.ONE_CROSSING says the same at run time).
ONE_CROSSING = ("listen_in4", "listen_in6", "listen_un", "connect_new")


def classes_stub() -> str:
    """sockffi/_classes.pyi: the error classes sockffi.errors makes from the
    catalogue, as a type checker must see them."""
    cat = catalogue()
    out = [
        "# Generated by `python build_ffi.py --stubs` from sockffi/_catalogue.py; do not edit.",
        "# sockffi.errors makes these classes at import time; this is how type checkers see them.",
        "from typing import ClassVar",
        "",
        "from .errors import SockffiError",
        "",
    ]
    for union in cat.UNIONS:
        out += [f"class {union}(SockffiError):", "    members: ClassVar[tuple[type, ...]]", ""]
    for set_name in cat.SETS:
        unions = [u for u, spec in cat.UNIONS.items() if set_name in spec.sets] or ["SockffiError"]
        out += [f"class {set_name}({', '.join(unions)}):", "    members: ClassVar[tuple[type, ...]]", ""]
    for name, spec in cat.NAMES.items():
        bases = [s for s, members in cat.SETS.items() if name in members]
        bases += [u for u, union in cat.UNIONS.items() if name in union.extra]
        bases += [spec.builtin] if spec.builtin else []
        out += [f"class {name}({', '.join(bases)}): ...", ""]
    return "\n".join(out).rstrip() + "\n"


def constants_stub() -> str:
    """sockffi/_constants.pyi: the constants sockffi exports (their values are
    the platform's), as a type checker must see them."""
    cat = catalogue()
    names = [n for names in cat.CONSTANTS.values() for n in names] + [
        n for group, names in cat.OPTIONAL.items() if group != "trace only" for n in names
    ]
    out = [
        "# Generated by `python build_ffi.py --stubs` from sockffi/_catalogue.py; do not edit.",
        "# sockffi/__init__.py exports these at import time, with the platform's values",
        "# (the optional ones only where they exist).",
        "",
    ]
    return "\n".join(out + [f"{name}: int" for name in names]) + "\n"


STUBS = {
    PACKAGE / "_sockffi.pyi": stub,
    PACKAGE / "_classes.pyi": classes_stub,
    PACKAGE / "_constants.pyi": constants_stub,
}

ffibuilder = build()

if __name__ == "__main__":
    if sys.argv[1:] == ["--stubs"]:
        for path, make in STUBS.items():
            path.write_text(make())
            print(f"wrote {path.relative_to(ROOT)}")
    else:
        ffibuilder.compile(verbose=True)

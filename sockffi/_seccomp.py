"""Make one syscall return one errno, at the kernel boundary (Linux seccomp).

``SECCOMP_RET_ERRNO``: the kernel answers the chosen syscall with the chosen
errno without running it, so everything above it (libc, any library, the code
under test) runs for real. The filter is irreversible and inherited, so it is
only ever installed in a process made for it (a child, a fresh interpreter).

Argument matches pick one call out of several: {argument index: (value, mask)}
compares the low 32 bits of a scalar argument, masked (socket's type argument
carries SOCK_CLOEXEC and SOCK_NONBLOCK above the type itself).
"""

from __future__ import annotations

import ctypes
import platform
import struct
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

#: machine -> (AUDIT_ARCH, syscall numbers)
ARCHES: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        {"socket": 41, "bind": 49, "listen": 50, "getsockname": 51, "setsockopt": 54, "fcntl": 72, "close": 3},
    ),
    "aarch64": (
        0xC00000B7,
        {"socket": 198, "bind": 200, "listen": 201, "getsockname": 204, "setsockopt": 208, "fcntl": 25, "close": 57},
    ),
}

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20
BPF_ALU_AND_K = 0x54
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06

Matches = dict[int, "tuple[int, int]"]


def unavailable() -> Optional[str]:
    """Why injection cannot run here, or None."""
    if not sys.platform.startswith("linux"):
        return f"seccomp is Linux's; this is {sys.platform}"
    if platform.machine() not in ARCHES:
        return f"no syscall table for {platform.machine()} (x86_64 and aarch64 have one)"
    return None


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k & 0xFFFFFFFF)


def program(syscall: str, errno_value: int, matches: Optional[Matches] = None) -> list[bytes]:
    """The BPF program: `syscall` (with every match) fails with errno_value."""
    arch, numbers = ARCHES[platform.machine()]
    checks = sorted((matches or {}).items())
    per_check = 3  # load, and, compare
    prog = [
        _insn(BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _insn(BPF_JEQ_K, 0, 3 + per_check * len(checks), arch),  # another arch: allow
        _insn(BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        _insn(BPF_JEQ_K, 0, 1 + per_check * len(checks), numbers[syscall]),
    ]
    for i, (index, (value, mask)) in enumerate(checks):
        remaining = len(checks) - i - 1
        prog.append(_insn(BPF_LD_W_ABS, 0, 0, 16 + 8 * index))  # the low half of args[index]
        prog.append(_insn(BPF_ALU_AND_K, 0, 0, mask))
        prog.append(_insn(BPF_JEQ_K, 0, 1 + per_check * remaining, value & mask))
    prog.append(_insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | (errno_value & 0xFFFF)))
    prog.append(_insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return prog


def install(syscall: str, errno_value: int, matches: Optional[Matches] = None) -> None:
    """From now on, in this process and its children, `syscall` fails with errno_value."""
    why = unavailable()
    if why:
        raise OSError(why)
    code = b"".join(program(syscall, errno_value, matches))
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(code) // 8, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")

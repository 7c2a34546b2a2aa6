"""Make one syscall return one errno, at the kernel boundary, in a forked child.

seccomp ``SECCOMP_RET_ERRNO``: the kernel answers the chosen syscall with the
chosen errno without running it, so everything above it (libc, sockffi's C
helper, its Python layer) runs for real. The filter is irreversible and
inherited, so it is only ever installed in a child that then exits.

Optional argument matches (on the low 32 bits of scalar arguments) pick one
call out of several: ``{2: SO_REUSEPORT}`` fails only the setsockopt whose
third argument is SO_REUSEPORT.
"""

from __future__ import annotations

import ctypes
import platform
import struct
import sys
from typing import Optional

# x86_64 and aarch64 syscall numbers, and their AUDIT_ARCH values.
_ARCHES = {
    "x86_64": (0xC000003E, {"socket": 41, "bind": 49, "listen": 50, "getsockname": 51, "setsockopt": 54, "fcntl": 72}),
    "aarch64": (
        0xC00000B7,
        {"socket": 198, "bind": 200, "listen": 201, "getsockname": 204, "setsockopt": 208, "fcntl": 25},
    ),
}

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06


def unavailable() -> Optional[str]:
    """Why injection cannot run here, or None."""
    if not sys.platform.startswith("linux"):
        return "seccomp is Linux-only"
    if platform.machine() not in _ARCHES:
        return f"no syscall table for {platform.machine()}"
    return None


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k & 0xFFFFFFFF)


def seccomp_errno(syscall: str, errno_value: int, args: Optional[dict[int, int]] = None) -> None:
    """Child only: from now on `syscall` (with `args` matching) fails with errno_value."""
    arch, numbers = _ARCHES[platform.machine()]
    checks = sorted((args or {}).items())
    prog = [
        _insn(BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _insn(BPF_JEQ_K, 0, 3 + 2 * len(checks), arch),  # other arch: allow
        _insn(BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        _insn(BPF_JEQ_K, 0, 1 + 2 * len(checks), numbers[syscall]),
    ]
    for i, (index, value) in enumerate(checks):
        remaining = len(checks) - i - 1
        prog.append(_insn(BPF_LD_W_ABS, 0, 0, 16 + 8 * index))  # low half of args[index]
        prog.append(_insn(BPF_JEQ_K, 0, 1 + 2 * remaining, value))
    prog.append(_insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | (errno_value & 0xFFFF)))
    prog.append(_insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    code = b"".join(prog)
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")

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
import errno
import os
import platform
import struct
import sys

from ._catalogue import RECORDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

#: machine -> (AUDIT_ARCH, {syscall: its numbers}), from the syscall records
#: by the kernel's name (accept's are accept4's and accept's; send is sendto),
#: and fcntl, which an emulated flag uses.
_AUDIT = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_FCNTL = {"x86_64": 72, "aarch64": 25}
ARCHES: dict[str, tuple[int, dict[str, tuple[int, ...]]]] = {
    machine: (
        audit,
        {
            **{r.kernel: r.seccomp[machine] for r in RECORDS.values()},
            "fcntl": (_FCNTL[machine],),
        },
    )
    for machine, audit in _AUDIT.items()
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
    """The BPF program: `syscall` (any of its numbers, with every match) fails
    with errno_value; everything else is allowed."""
    arch, numbers = ARCHES[platform.machine()]
    nrs = numbers[syscall]
    checks = sorted((matches or {}).items())
    k, per_check = len(nrs), 3  # per check: load, and, compare
    allow = 3 + k + per_check * len(checks) + 1  # the index of the ALLOW return
    prog = [
        _insn(BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        _insn(BPF_JEQ_K, 0, allow - 2, arch),  # another arch: allow
        _insn(BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    for i, nr in enumerate(nrs):  # any of its numbers: on to the checks
        pc = 3 + i
        prog.append(_insn(BPF_JEQ_K, k - 1 - i, 0 if i < k - 1 else allow - pc - 1, nr))
    for index, (value, mask) in checks:
        prog.append(_insn(BPF_LD_W_ABS, 0, 0, 16 + 8 * index))  # the low half of args[index]
        prog.append(_insn(BPF_ALU_AND_K, 0, 0, mask))
        prog.append(_insn(BPF_JEQ_K, 0, allow - len(prog) - 1, value & mask))
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


# ------------------------------------------------------------------ answered by a supervisor
#
# The pytest marker's way: one filter for the life of the process that sends
# every socket-setup syscall to a supervisor process (SECCOMP_RET_USER_NOTIF),
# which answers each one: "go on" (SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel
# runs the call as if no filter were there) unless a rule is armed that it
# matches, then the rule's errno. The supervisor counts what it answered, so
# an injection that never fired is known, and a rule is armed and disarmed at
# will: the filter itself never changes.

SECCOMP_SET_MODE_FILTER = 1
SECCOMP_GET_NOTIF_SIZES = 3
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 8
SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 16
SECCOMP_RET_USER_NOTIF = 0x7FC00000
SECCOMP_NR = {"x86_64": 317, "aarch64": 277}
#: The syscalls the supervisor sees (the marker can fail any of them): every
#: record's but close's.
#: The syscalls the marker supervises: every record's but close (the runner
#: closes fds all the time) and poll (the supervisor itself waits in poll).
NOTIFIED: tuple[str, ...] = tuple(
    dict.fromkeys(r.kernel for r in RECORDS.values() if r.kernel not in ("close", "poll"))
)


def numbers_of(machine: str, names: tuple[str, ...] = NOTIFIED) -> dict[int, str]:
    """{syscall number: name} for the supervisor (accept4 and accept are "accept")."""
    table = ARCHES[machine][1]
    return {nr: name for name in names for nr in table[name]}


def notify_program(names: tuple[str, ...] = NOTIFIED) -> list[bytes]:
    arch, _ = ARCHES[platform.machine()]
    nrs = list(numbers_of(platform.machine(), names))
    prog = [
        _insn(BPF_LD_W_ABS, 0, 0, 4),
        _insn(BPF_JEQ_K, 0, len(nrs) + 1, arch),  # another arch: allow
        _insn(BPF_LD_W_ABS, 0, 0, 0),
    ]
    for i, nr in enumerate(nrs):
        remaining = len(nrs) - i - 1
        prog.append(_insn(BPF_JEQ_K, remaining + 1, 0, nr))  # to the notify return
    prog.append(_insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    prog.append(_insn(BPF_RET_K, 0, 0, SECCOMP_RET_USER_NOTIF))
    return prog


def install_notifying() -> tuple[int, bool]:
    """Install the notifying filter on this process; (the listener fd, whether
    every thread has it (TSYNC) or only this one and what it starts)."""
    why = unavailable()
    if why:
        raise OSError(why)
    code = b"".join(notify_program())
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(code) // 8, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    if os.geteuid() != 0:  # without CAP_SYS_ADMIN the kernel wants no_new_privs
        libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    libc.syscall.restype = ctypes.c_long
    nr = SECCOMP_NR[platform.machine()]
    all_threads = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH
    for flags, synced in ((all_threads, True), (SECCOMP_FILTER_FLAG_NEW_LISTENER, False)):
        fd = libc.syscall(
            ctypes.c_long(nr),
            ctypes.c_long(SECCOMP_SET_MODE_FILTER),
            ctypes.c_long(flags),
            ctypes.c_void_p(ctypes.addressof(fprog)),
        )
        if fd >= 0:
            return int(fd), synced
        error = ctypes.get_errno()
        if error != errno.EINVAL:
            break
    raise OSError(error, f"seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER): {os.strerror(error)}")


#: The supervisor: a separate interpreter (stdlib only, -I), started after the
#: filter exists, so it inherits the listener fd (and the filter: it makes no
#: call the filter names, only ioctl, poll, read and write, so it never waits
#: on itself). Its control channel is two pipes, read and written with
#: read(2)/write(2), which no marker can fail, whatever calls it supervises.
#: Rules and counts travel as JSON lines.
SUPERVISOR = r"""
import fcntl, json, os, select, struct, sys
notif, requests, replies = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
NAMES = json.loads(sys.argv[4])
RECV, SEND, CONTINUE = 0xC0502100, 0xC0182101, 1
rule, count, seen, pending = None, 0, {}, b""
poller = select.poll()
poller.register(notif, select.POLLIN)
poller.register(requests, select.POLLIN)

def answer(b):
    global count
    nid, _pid, _flags, nr = struct.unpack_from("=QIIi", b, 0)
    args = struct.unpack_from("=6Q", b, 32)
    name = NAMES.get(str(nr), str(nr))
    error, flags = 0, CONTINUE
    if rule is not None:
        seen[name] = seen.get(name, 0) + 1
        if name == rule["syscall"] and (rule["times"] is None or count < rule["times"]) and all(
            (args[int(i)] & 0xFFFFFFFF) & m == v & m for i, (v, m) in rule["matches"].items()
        ):
            count += 1
            error, flags = -rule["errno"], 0
    try:
        fcntl.ioctl(notif, SEND, struct.pack("=QqiI", nid, 0, error, flags))
    except OSError:
        pass  # the caller went away (a signal, an exit): nothing to answer

def write_all(data):
    while data:
        data = data[os.write(replies, data):]

while True:
    for fd, event in poller.poll():
        if fd == notif:
            if event & select.POLLIN:
                b = bytearray(80)
                try:
                    fcntl.ioctl(notif, RECV, b, True)
                except OSError:
                    continue
                answer(b)
            elif event & (select.POLLHUP | select.POLLERR):
                poller.unregister(notif)
            continue
        data = os.read(requests, 65536)
        if not data:
            sys.exit(0)
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            if request["op"] == "arm":
                rule, count, seen = request["rule"], 0, {}
                reply = {"ok": True}
            else:
                reply = {"count": count, "seen": seen}
                rule = None
            write_all(json.dumps(reply).encode() + b"\n")
"""

"""Read the error mappings out of the Zig 0.15.2 specification (markdown), independently
of sockffi's own tables, so the two can be compared.

Returns {"posix": {key: {code: result}}, "windows": {...}} where key is a syscall
("bind") or a helper inside socket() ("socket.fcntl", "socket.WSAStartup") and
result is an error name, "unreachable", or "Unexpected".
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
SPEC_FILES = [HERE / "data" / "zig-spec.md", HERE.parent.parent / "shared" / "spec" / "zig-spec.md"]
#: The connection calls' spec (accept, connect, getsockoptError, getpeername, shutdown).
CONNECTION_SPEC_FILES = [
    HERE / "data" / "zig-spec-connections.md",
    HERE.parent.parent / "shared" / "spec" / "zig-spec-connections.md",
]
#: Zig's names for the calls whose sockffi names differ.
_SECTIONS = {"getsockoptError": "getsockopt_error"}

_CODE = re.compile(r"\b((?:WSA|E)[A-Z0-9]+)\b")
_RESULT = re.compile(r"\b(unreachable|Unexpected|[A-Z][a-z]+[A-Za-z]*)\b")
_SKIP_RESULTS = {"retry", "return"}

Mapping = dict[str, dict[str, dict[str, str]]]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _codes(cell: str) -> list[str]:
    if cell.lower().startswith(("else", "anything else", "success")) or not cell:
        return []
    # "EAGAIN, EACCES (Locked)" -> the codes outside the parentheses.
    return _CODE.findall(re.sub(r"\([^)]*\)", "", cell))


def _result(cell: str, names: set) -> str:
    cell = cell.replace("*", "")
    if cell.split(" ")[0].lower() in _SKIP_RESULTS:
        return ""
    for word in _RESULT.findall(cell):
        if word == "unreachable" or word in names:
            return word
    return ""


def parse(text: str, names: set) -> Mapping:
    out: Mapping = {"posix": {}, "windows": {}}
    section = ""
    errno_tables_seen = 0
    header: list[str] = []
    for line in text.splitlines():
        m = re.match(r"### 2\.\d (\w+):", line)
        if m:
            section, errno_tables_seen, header = _SECTIONS.get(m.group(1), m.group(1)), 0, []
            continue
        if line.startswith(("## ", "### 3")):
            section = ""
        if not section or not line.startswith("|"):
            header = [] if not line.startswith("|") else header
            continue
        cells = _cells(line)
        if not header:
            header = cells
            if header[0] == "errno":
                errno_tables_seen += 1
            continue
        if re.fullmatch(r"\|[\s:|-]*-[\s:|-]*\|", line.strip()):
            continue  # the |---|---| row
        if header[0] in ("Member",):
            continue
        # Which table this row belongs to.
        pairs = []
        if header[0] == "errno":
            key = section if errno_tables_seen == 1 else f"{section}.fcntl"
            pairs.append(("posix", key, cells[0], cells[1]))
        elif header[0].startswith("WSA error"):
            pairs.append(("windows", section, cells[0], cells[1]))
        elif header[0].startswith("WSAStartup"):
            pairs.append(("windows", f"{section}.WSAStartup", cells[0], cells[1]))
        elif header[0] == "SO_ERROR":  # getsockoptError: what the stored code means
            pairs.append(("posix", section, cells[0], cells[1]))
        elif header[0].startswith("POSIX errno"):
            pairs.append(("posix", section, cells[0], cells[1]))
            if len(cells) >= 4:
                pairs.append(("windows", section, cells[2], cells[3]))
        for platform, key, code_cell, result_cell in pairs:
            result = _result(result_cell, names)
            if not result:
                continue
            for code in _codes(code_cell):
                out[platform].setdefault(key, {})[code] = result
    return out


def load(path: Path, names: set) -> Mapping:
    return parse(path.read_text(encoding="utf-8"), names)

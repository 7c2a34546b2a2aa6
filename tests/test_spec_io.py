"""The data path's tables against zig-spec-io.md (Zig 0.15.2), read here
independently of sockffi's own: every row agrees, or is a departure that
sockffi.errors.DEPARTURES names and explains."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import COUNTS

from sockffi import errors

HERE = Path(__file__).parent
SPEC_FILES = [HERE / "data" / "zig-spec-io.md", HERE.parent.parent / "shared" / "spec" / "zig-spec-io.md"]

_CODE = re.compile(r"\b((?:WSA|E)[A-Z0-9]+)\b")
_RESULT = re.compile(r"\b(unreachable|Unexpected|[A-Z][a-z]+[A-Za-z]*)\b")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _result(cell: str) -> str:
    cell = cell.replace("*", "").strip()
    if cell.lower().startswith(("`continue`", "retry", "`return", "same", "bytes read", "(cannot")):
        return ""
    if cell.startswith("(no arm"):
        return "Unexpected"
    for word in _RESULT.findall(cell):
        if word == "unreachable" or word in errors.ERROR_NAMES:
            return word
    return ""


def _codes(cell: str) -> list[str]:
    if cell.lower().startswith(("else", "success")) or not cell:
        return []
    return _CODE.findall(re.sub(r"\([^)]*\)", "", cell))


def tables(text: str) -> dict[tuple[str, str], dict[str, str]]:
    """{(platform, call): {code: Zig's result}} for recv, sendto, send, read."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    section, header = "", []
    for line in text.splitlines():
        heading = re.match(r"### 2\.(\d) ", line)
        if heading:
            section = {"1": "recv", "2": "send", "4": "read"}.get(heading.group(1), "")
            header = []
            continue
        if line.startswith("## "):
            section = ""
        if not section or not line.startswith("|"):
            header = [] if not line.startswith("|") else header
            continue
        cells = _cells(line)
        if not header:
            header = cells
            continue
        if re.fullmatch(r"\|[\s:|-]*-[\s:|-]*\|", line.strip()) or header[0] in ("#", "Member"):
            continue
        platform = "windows" if header[0].startswith("WSA") else "posix"
        if header[0] not in ("errno", "WSA error", "WSA error (SOCKET_ERROR)"):
            continue
        calls = [section] if section != "send" else ["sendto", "send"]
        codes = _codes(cells[0])
        for call, cell in zip(calls, cells[1:]):
            if call == "send" and cell.strip().startswith(("same", "(cannot occur")):
                for code in codes:  # send is sendto there
                    if code in out.get((platform, "sendto"), {}):
                        out.setdefault((platform, call), {})[code] = out[(platform, "sendto")][code]
                continue
            # "ELOOP / ENOENT | SymLinkLoop / FileNotFound": one name per code, in order.
            names = [_result(part) for part in cell.split(" / ")]
            if len(codes) > 1 and len(names) == len(codes) and all(names):
                for code, name in zip(codes, names):
                    out.setdefault((platform, call), {})[code] = name
                continue
            result = _result(cell)
            if not result:
                continue
            for code in codes:
                out.setdefault((platform, call), {})[code] = result
    return out


def _departure(platform: str, call: str, code: str) -> str:
    d = errors.DEPARTURES
    return d.get((platform, call, code)) or d.get((platform, call, "*")) or ""


def _zig_tables(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    spec = tables(path.read_text(encoding="utf-8"))
    # The spec states sendmsg's switch as sendto's minus two arms (§2.3): ECONNREFUSED
    # has none (Unexpected) and EINVAL is unreachable; its Windows table is sendto's.
    spec[("posix", "sendmsg")] = {
        **{c: r for c, r in spec[("posix", "sendto")].items() if c != "ECONNREFUSED"},
        "EINVAL": "unreachable",
    }
    spec[("windows", "sendmsg")] = dict(spec[("windows", "sendto")])
    spec[("posix", "recvfrom")] = spec[("posix", "recv")]
    spec[("windows", "recvfrom")] = spec[("windows", "recv")]
    return spec


@pytest.mark.parametrize("path", SPEC_FILES, ids=["tests", "shared"])
def test_the_data_tables_match_the_zig_spec(path):
    if not path.exists():
        pytest.skip(f"{path} is not beside this checkout")
    spec = _zig_tables(path)
    assert len(spec[("posix", "recv")]) >= 10 and len(spec[("posix", "sendto")]) >= 20
    assert len(spec[("windows", "sendto")]) >= 15 and spec[("posix", "send")]["EINVAL"] == "unreachable"
    rows, mismatches = 0, []
    for platform, ours in (("posix", errors.POSIX), ("windows", errors.WINDOWS)):
        for call in ("send", "sendto", "sendmsg", "recv", "recvfrom"):
            theirs, mine = spec.get((platform, call), {}), ours[call]
            for code in set(theirs) | set(mine):
                if platform == "posix" and code == "ENOTSUP":
                    continue  # Linux's EOPNOTSUPP under its other name
                rows += 1
                zig, us = theirs.get(code, "Unexpected"), mine.get(code, "Unexpected")
                if zig != us and not _departure(platform, call, code):
                    mismatches.append((platform, call, code, "zig", zig, "sockffi", us))
    assert not mismatches, mismatches
    assert rows >= 150
    if path == SPEC_FILES[0]:
        COUNTS["spec_rows"] += rows


def test_connection_read_names_each_code_as_zigs_read():
    """Connection.read is Zig's Stream.read: read(2)'s switch (§2.4), for the codes recv gives."""
    spec = tables(SPEC_FILES[0].read_text(encoding="utf-8"))[("posix", "read")]
    assert spec["EBADF"] == "NotOpenForReading" and spec["EINVAL"] == "unreachable"
    ours = errors.POSIX["Connection.read"]
    for code, zig in spec.items():
        assert ours.get(code, "Unexpected") == zig, code
    assert ours.get("ECONNREFUSED", "Unexpected") == "Unexpected"  # as read(2): §6.1


def test_every_data_departure_differs_from_zig():
    spec = _zig_tables(SPEC_FILES[0])
    checked = 0
    for (platform, call, code), why in errors.DEPARTURES.items():
        if platform in ("posix", "windows") and (platform, call) in spec and code.startswith(("E", "WSA")):
            table = errors.POSIX if platform == "posix" else errors.WINDOWS
            assert spec[(platform, call)].get(code, "Unexpected") != table[call][code], (platform, call, code)
            assert len(why) > 20
            checked += 1
    assert checked >= 12


def test_the_vendored_io_spec_is_the_shared_one():
    vendored, shared = SPEC_FILES
    if not shared.exists():
        pytest.skip("../shared/spec is not beside this checkout")
    assert vendored.read_bytes() == shared.read_bytes()

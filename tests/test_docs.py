"""The documentation builds with no warnings, its doctests pass, its error
reference matches the code's tables, and every public name is documented."""

from __future__ import annotations

import html.parser
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import sockffi
from sockffi import errors

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sphinx") is None or not DOCS.exists(), reason="needs sphinx (pip install -e '.[test]')"
)


class Tables(html.parser.HTMLParser):
    """The rows of every <table class="... NAME ..."> as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table":
            names = [c for c in classes if c.startswith(("set-", "codes-"))]
            self._table = names[0] if names else None
            if self._table:
                self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def sphinx(builder: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder, str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_docs(tmp_path):
    # One test, so parallel workers never build into docs/_generated at once.
    built = sphinx("html", tmp_path / "html")
    assert built.returncode == 0, built.stdout + built.stderr
    doctest = sphinx("doctest", tmp_path / "doctest")
    assert doctest.returncode == 0, doctest.stdout + doctest.stderr
    check_set_tables((tmp_path / "html" / "errors.html").read_text())
    check_every_public_name(tmp_path / "html" / "objects.inv")
    check_departures((tmp_path / "html" / "zig.html").read_text())
    check_layout(tmp_path / "html")
    check_testing_page((tmp_path / "html" / "testing.html").read_text())
    check_signatures((tmp_path / "html" / "api.html").read_text())
    check_code_fits(tmp_path / "html")
    check_connection_pages(tmp_path / "html")
    # listen(2)'s set has one public name, sockffi.posix.ListenError: no other name anywhere a reader looks.
    for page in (tmp_path / "html").glob("*.html"):
        assert "ListenSyscallError" not in page.read_text(), page.name
    assert "ListenSyscallError" not in errors.__all__ and "ListenSyscallError" not in dir(sockffi)


def check_set_tables(page: str) -> None:
    """Both ways: every code in the code's tables is in its member's row, for its
    platform; every code in a row maps to that member in the code's tables."""
    parser = Tables()
    parser.feed(page)
    for syscall, set_name in errors.SYSCALLS.items():
        rows = parser.tables[f"set-{syscall}".replace("_", "-")]
        assert rows[0] == ["member", "Linux", "macOS", "Windows"]
        by_member = {row[0]: row[1:] for row in rows[1:]}
        assert list(by_member)[: len(errors.SETS[set_name])] == list(errors.SETS[set_name])
        for platform, table, columns in (("posix", errors.POSIX, (0, 1)), ("windows", errors.WINDOWS, (2,))):
            for key, entries in table.items():
                if key.split(".")[0] != syscall:
                    continue
                for code, member in entries.items():
                    row = (
                        by_member[next(k for k in by_member if k.startswith("CallerError"))]
                        if member == errors.UNREACHABLE
                        else by_member[member]
                    )
                    shown = [row[c] for c in columns]
                    if platform == "posix" and "." in key:  # macOS-only helper (fcntl)
                        shown = [row[1]]
                    assert any(code in cell.replace(",", " ").split() for cell in shown), (syscall, code, member, row)
        for member, cells in by_member.items():
            for column, cell in enumerate(cells):
                table = errors.WINDOWS if column == 2 else errors.POSIX
                names = [w for w in cell.replace(",", " ").split() if w.isupper() and w.startswith(("E", "WSA"))]
                for code in names:
                    mapped = {
                        m for k, e in table.items() if k.split(".")[0] == syscall for c, m in e.items() if c == code
                    }
                    want = errors.UNREACHABLE if member.startswith("CallerError") else member
                    assert want in mapped, (syscall, member, code, mapped)


def check_every_public_name(inventory: Path) -> None:
    from sphinx.util.inventory import InventoryFile

    with inventory.open("rb") as f:
        inv = InventoryFile.load(f, "", lambda base, uri: uri)
    documented = {name for kind in inv.values() for name in kind} if isinstance(inv, dict) else set()
    if not documented:  # Sphinx >= 8.2 returns an Inventory object
        documented = {item.name for item in inv.values()} if hasattr(inv, "values") else set(inv.data)  # type: ignore[attr-defined]
    missing = [n for n in sockffi.__all__ if f"sockffi.{n}" not in documented and n != "errors"]
    assert not missing, missing
    for extra in (
        "sockffi.posix.ListenError",
        "sockffi.trace.observe",
        "sockffi.Server.to_socket",
        "sockffi.Server.fd",
        "sockffi.Server.address",
        "sockffi.types.Address",
    ):
        assert extra in documented, extra


def check_departures(page: str) -> None:
    for (_platform, call, code), _why in errors.DEPARTURES.items():
        assert code in page and call in page, (call, code)


#: The characters of a code line the pages show at 1280 px without scrolling
#: (furo's content column; seen in headless Chromium).
CODE_FITS = 88


def check_code_fits(html_dir: Path) -> None:
    """No code block is clipped: every line of every highlighted block fits."""
    import html as html_module
    import re

    too_long = []
    for page in sorted(html_dir.glob("*.html")):
        for block in re.findall(r'<div class="highlight"><pre>(.*?)</pre>', page.read_text(), re.S):
            for line in html_module.unescape(re.sub(r"<[^>]+>", "", block)).splitlines():
                if len(line) > CODE_FITS:
                    too_long.append((page.name, len(line), line))
    assert not too_long, too_long


def check_signatures(page: str) -> None:
    """No signature shows a private or impossible shape."""
    import html as html_module
    import re

    server = page[page.index('id="sockffi.Server"') :]
    server = server[: server.index("</dt>")]
    text = html_module.unescape(re.sub(r"<[^>]+>", "", server))
    assert "*args" not in text and "**kwargs" not in text, text
    assert "_socket_mod" not in page
    whole = html_module.unescape(re.sub(r"<[^>]+>", "", page))
    assert "(*args, **kwargs)" not in whole
    # Parameters are said with the types users pass, never an implementation's object or Any.
    assert ": object =" not in whole and ": Any" not in whole and "Server[Any]" not in whole


def check_testing_page(page: str) -> None:
    """fail()'s docstring renders as written: its parameters as code, no stray
    backquote or emphasis run across words, and the guarantees section is there."""
    import html as html_module
    import re

    text = html_module.unescape(re.sub(r"<[^>]+>", "", page))
    assert "`" not in text, text[max(0, text.index("`") - 80) : text.index("`") + 80]
    assert '<code class="docutils literal notranslate"><span class="pre">times</span></code>' in page
    assert "What the plugin guarantees" in text and "NotFired" in text


def check_layout(html: Path) -> None:
    """What a reader sees: tables that wrap instead of running off the page,
    no empty bullets where a table cell says '*'."""
    assert "sockffi.css" in (html / "errors.html").read_text()
    css = (html / "_static" / "sockffi.css").read_text()
    # No table cell breaks a word: tables scroll in their wrapper instead.
    assert "anywhere" not in css and "break-all" not in css and "table-layout: fixed" not in css
    assert "overflow-x: auto" in css
    zig = (html / "zig.html").read_text()
    table = zig[zig.index('class="departures') :]
    table = table[: table.index("</table>")]
    assert "<ul" not in table and ">*</span>" in table


def test_code_in_the_docs_fits_and_reads_as_users_write_it():
    for page in DOCS.glob("*.rst"):
        lines = page.read_text().splitlines()
        in_code = False
        for number, line in enumerate(lines, 1):
            directive = line.strip().startswith(".. ")
            if (line.rstrip().endswith("::") and not directive) or line.strip().startswith(
                (".. doctest::", ".. code-block::")
            ):
                in_code = True
                continue
            if in_code and line and not line.startswith(" "):
                in_code = False
            if in_code and line.startswith("   ") and not line.strip().startswith(":"):
                assert len(line) <= 88, f"{page.name}:{number} is {len(line)} columns: code would overflow"
        assert "__import__" not in page.read_text(), page.name


def test_sets_show_their_public_names():
    assert repr(sockffi.posix.ListenError) == "<class 'sockffi.posix.ListenError'>"
    assert sockffi.posix.ListenError.__qualname__ == "ListenError"
    import pydoc

    assert "class ListenError" in pydoc.render_doc(sockffi.posix.ListenError)
    assert "ListenSyscallError" not in repr(sockffi.AddressInUse.__mro__)


def _text(page: Path) -> str:
    import html as html_module
    import re

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", page.read_text())).split())


def check_connection_pages(html_dir: Path) -> None:
    """The pages a newcomer reads know the connection calls, as rendered."""
    from sockffi import _seccomp

    index = _text(html_dir / "index.html")
    for record in errors.RECORDS.values():
        assert record.kernel in index, record.kernel
    assert "connect_tcp" in index and "Server.accept" in index and "Connection" in index
    quickstart = _text(html_dir / "quickstart.html")
    assert "connect_tcp" in quickstart and "accept" in quickstart
    testing = _text(html_dir / "testing.html")
    for name in _seccomp.NOTIFIED:  # every syscall the marker can fail, none left out
        assert f'"{name}"' in testing, name
    assert 'a call they do not know ( "connect" )' not in testing and "connect_tcp" in testing
    api = _text(html_dir / "api.html")
    # Each constant's text under its own name: SOMAXCONN's is not under SHUT_*.
    assert "SOMAXCONN ¶ The platform’s listen backlog ceiling" in api
    assert "SHUT_RDWR ¶ shutdown() ’s how (Zig’s ShutdownHow recv, send, both). sockffi. POLLIN" in api
    assert api.count("fd : int ¶ The socket’s fd") == 3, "Server.fd, Connection.fd and Datagram.fd, each described"
    assert "local_address : A" not in api and ": A ¶" not in api
    assert "connect ADDRESS [--timeout SECONDS]" in api
    cpython = _text(html_dir / "cpython.html")
    assert "The connection calls" in cpython and "ConnectionTimedOut" in cpython and "(fd, address)" in cpython
    connections = _text(html_dir / "connections.html")
    for shown in ("asyncio", "trio", "anyio", "http.client", "Stopping a thread blocked in accept()"):
        assert shown in connections, shown


def test_the_readme_lists_every_call_and_command():
    readme = (ROOT / "README.md").read_text()
    for record in errors.RECORDS.values():  # by its own name, or the syscall's (getsockopt_error's is getsockopt)
        assert f"`{record.name}`" in readme or f"`{record.kernel}`" in readme, record.name
    assert "sockffi connect " in readme


STRACE_ENDING = r"""
import struct, sockffi
def pair():
    with sockffi.listen_tcp(("127.0.0.1", 0)) as server:
        conn = sockffi.connect_tcp(server.address)
        return conn, server.accept()
conn, peer = pair()
sockffi.setsockopt(peer, sockffi.SOL_SOCKET, sockffi.SO_LINGER, struct.pack("ii", 1, 0))
peer.close()
sockffi.poll([(conn, sockffi.POLLIN)], 10_000)
try:
    conn.read(100)
except sockffi.ConnectionResetByPeer:
    pass
conn.read(100)
try:
    conn.write(b"more")
except sockffi.BrokenPipe:
    pass
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or not __import__("shutil").which("strace"), reason="strace")
def test_how_a_connection_ends_is_what_strace_sees():
    """docs/data.rst's sequence, under strace: RST, then ECONNRESET once, then 0, then EPIPE."""
    out = subprocess.run(
        ["strace", "-f", "-e", "trace=recvfrom,sendmsg", sys.executable, "-c", STRACE_ENDING],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        stdin=subprocess.DEVNULL,
    ).stderr
    calls = [line for line in out.splitlines() if line.startswith(("recvfrom(", "sendmsg("))]
    assert calls[0].startswith("recvfrom(") and calls[0].endswith("= -1 ECONNRESET (Connection reset by peer)"), out
    assert calls[1].startswith("recvfrom(") and calls[1].endswith("= 0"), out
    assert calls[2].startswith("sendmsg(") and "MSG_NOSIGNAL" in calls[2] and "= -1 EPIPE (Broken pipe)" in calls[2]
    assert "SIGPIPE" not in out
    page = (DOCS / "data.rst").read_text()
    assert "ConnectionResetByPeer" in page and "b''" in page and "BrokenPipe" in page

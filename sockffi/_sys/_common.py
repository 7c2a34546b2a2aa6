"""What both backends share: turning a name table into a code -> class lookup."""

from __future__ import annotations

from typing import Callable, Dict, Optional

from .. import errors

ErrorTable = Dict[int, type]


def build_table(
    names: Dict[str, str], code: Callable[[str], Optional[int]], unreachable: type = errors.CallerError
) -> ErrorTable:
    """{code: class} for one syscall; unreachable codes map to `unreachable`
    (CallerError for direct calls; Unexpected inside listen_tcp, which owns its
    fd and builds its own sockaddr, so there it cannot be the caller's bug).

    A name the platform does not define (ENOTSUP where it equals EOPNOTSUPP is
    harmless; a missing one is skipped) simply has no entry: such a code cannot
    occur there.
    """
    table: ErrorTable = {}
    for name, member in names.items():
        value = code(name)
        if value is None:
            continue
        cls = unreachable if member == errors.UNREACHABLE else getattr(errors, member)
        table.setdefault(value, cls)
    return table

"""A listener on the preferred port, or on any free one when it is taken."""

import sockffi


def open_listener(preferred: int = 8080) -> sockffi.Server:
    try:
        return sockffi.listen_tcp(("127.0.0.1", preferred))
    except sockffi.AddressInUse:
        return sockffi.listen_tcp(("127.0.0.1", 0))

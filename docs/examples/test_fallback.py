import fallback

import sockffi
import sockffi.testing


def test_a_taken_port_falls_back_to_a_free_one():
    # The next bind fails, on every OS.
    with sockffi.testing.fail("bind", sockffi.AddressInUse):
        server = fallback.open_listener(8080)
    with server:
        assert server.address[1] not in (0, 8080)

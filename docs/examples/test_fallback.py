import fallback

import sockffi
import sockffi.testing


def test_a_taken_port_falls_back_to_a_free_one():
    with sockffi.testing.fail("bind", sockffi.AddressInUse):  # the next bind: on every OS
        server = fallback.open_listener(8080)
    with server:
        assert server.address[1] not in (0, 8080)
